package io.atoll.gateway.routing;

import org.springframework.http.HttpHeaders;
import org.springframework.util.MultiValueMap;

/**
 * What a rule may look at besides host and path. The proxy answers from its own header type
 * and decodes the query only when a rule asks, so a request that no rule inspects pays nothing.
 */
public interface RequestAttributes {

    /** The first value of the header (any case), or null. */
    String header(String name);

    /** The first decoded value of the query parameter, or null. */
    String queryParam(String name);

    static RequestAttributes of(HttpHeaders headers, MultiValueMap<String, String> query) {
        return new RequestAttributes() {
            @Override
            public String header(String name) {
                return headers.getFirst(name);
            }

            @Override
            public String queryParam(String name) {
                return query.getFirst(name);
            }
        };
    }
}
