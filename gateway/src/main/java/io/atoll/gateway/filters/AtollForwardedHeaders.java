package io.atoll.gateway.filters;

import io.atoll.gateway.routing.Upstream;
import java.util.List;
import java.util.Locale;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * Keeps the forwarding headers the proxy set (ForwardedHeaders: trusted proxies honoured, a
 * client's forgeries replaced) on filtered requests. Without trusted proxies configured for SCG,
 * SCG's RemoveXForwardedHeadersFilter and RemoveForwardedHeadersFilter drop them all before the
 * request leaves; this runs after them and puts Atoll's values back. Requests that did not come
 * through Atoll's proxy are left as SCG made them.
 */
public final class AtollForwardedHeaders implements HttpHeadersFilter, Ordered {

    @Override
    public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
        if (exchange.getAttribute(Upstream.ATTRIBUTE) == null) {
            return input;
        }
        HttpHeaders original = exchange.getRequest().getHeaders();
        HttpHeaders output = null;
        for (String name : original.headerNames()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-forwarded-") || lower.equals("forwarded") || lower.equals("x-real-ip")) {
                if (output == null) {
                    output = new HttpHeaders();
                    output.putAll(input);
                }
                List<String> values = original.get(name);
                output.put(name, values);
            }
        }
        return output == null ? input : output;
    }

    @Override
    public boolean supports(Type type) {
        return type == Type.REQUEST;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
