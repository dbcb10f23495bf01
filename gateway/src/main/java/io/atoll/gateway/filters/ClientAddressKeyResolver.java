package io.atoll.gateway.filters;

import java.net.InetSocketAddress;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Rate limits per client address: the {@code X-Real-IP} the proxy set before SCG's filters ran
 * (the peer's address, or what a trusted proxy in front said; a client's own value is replaced),
 * else the peer's address.
 */
public final class ClientAddressKeyResolver implements KeyResolver {

    @Override
    public Mono<String> resolve(ServerWebExchange exchange) {
        String real = exchange.getRequest().getHeaders().getFirst("X-Real-IP");
        if (real != null && !real.isBlank()) {
            return Mono.just(real);
        }
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return remote == null ? Mono.empty() : Mono.just(remote.getHostString());
    }
}
