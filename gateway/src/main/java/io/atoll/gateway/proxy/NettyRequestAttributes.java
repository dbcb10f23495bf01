package io.atoll.gateway.proxy;

import io.atoll.gateway.routing.RequestAttributes;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/** Headers straight from Netty's request; the query decoded only if a rule asks for a parameter. */
final class NettyRequestAttributes implements RequestAttributes {

    private final HttpHeaders headers;
    private final String query;
    private Map<String, List<String>> parameters;

    NettyRequestAttributes(HttpHeaders headers, String query) {
        this.headers = headers;
        this.query = query;
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public String queryParam(String name) {
        if (query == null) {
            return null;
        }
        if (parameters == null) {
            try {
                parameters = new QueryStringDecoder(query, false).parameters();
            } catch (IllegalArgumentException e) {
                // RequestTarget refuses bad escapes first; should one get here, it matches nothing.
                parameters = java.util.Map.of();
            }
        }
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
