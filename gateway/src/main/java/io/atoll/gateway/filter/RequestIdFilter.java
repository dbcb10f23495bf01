package io.atoll.gateway.filter;

import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Gives every request an {@code X-Request-Id} that the instance and the client both see: the
 * caller's own when it sent a sane one (so ids chain across proxies), else a new one.
 */
public class RequestIdFilter implements GlobalFilter, Ordered {

    public static final String HEADER = "X-Request-Id";

    /** First of all, so that even the gateway's own 404s carry the id. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:@/+=-]{1,200}");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        String given = exchange.getRequest().getHeaders().getFirst(HEADER);
        boolean keep = given != null && SANE.matcher(given).matches();
        String id = keep ? given : UUID.randomUUID().toString();
        ServerWebExchange withId = keep
                ? exchange : exchange.mutate().request(request -> request.header(HEADER, id)).build();
        withId.getResponse().beforeCommit(() -> {
            withId.getResponse().getHeaders().set(HEADER, id);
            return Mono.empty();
        });
        return chain.filter(withId);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
