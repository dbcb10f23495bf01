package io.atoll.gateway.filters;

import io.atoll.gateway.balancing.LeastOutstandingBalancer;
import io.atoll.gateway.routing.Backend;
import io.atoll.gateway.routing.Upstream;
import java.net.ConnectException;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Atoll's balancing for filtered routes: after SCG's filters and its RouteToRequestUrlFilter
 * have made the request URL (a rewritten path included), the placeholder host becomes the
 * instance the LeastOutstandingBalancer picks, as for plain routes: weights, zones, the
 * in-flight count, ejection of an instance that refuses connections, and another instance for
 * a request that is safe to repeat, up to the rule's retries. SCG's NettyRoutingFilter sends it.
 * Requests that did not come through Atoll's proxy (no {@link Upstream}) pass untouched.
 */
public final class BalancedForwardFilter implements GlobalFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(BalancedForwardFilter.class);

    private final LeastOutstandingBalancer balancer;

    public BalancedForwardFilter(LeastOutstandingBalancer balancer) {
        this.balancer = balancer;
    }

    @Override
    public int getOrder() {
        return RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 1;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Upstream upstream = exchange.getAttribute(Upstream.ATTRIBUTE);
        if (upstream == null) {
            return chain.filter(exchange);
        }
        Backend first = upstream.takeFirst();
        if (first == null) {
            first = balancer.acquire(upstream.rule().app(), upstream.backends(), upstream.tried());
        }
        return forward(exchange, chain, upstream, first);
    }

    private Mono<Void> forward(ServerWebExchange exchange, GatewayFilterChain chain, Upstream upstream,
            Backend backend) {
        if (backend == null) {
            return Mono.error(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                    "app '" + upstream.rule().app() + "' has no healthy instance"));
        }
        URI url = exchange.getRequiredAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
        exchange.getAttributes().put(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR, URI.create("http://"
                + backend.authority() + url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery())));
        // A retry runs SCG's NettyRoutingFilter again, which skips requests already marked routed.
        exchange.getAttributes().remove(ServerWebExchangeUtils.GATEWAY_ALREADY_ROUTED_ATTR);
        return chain.filter(exchange)
                .doOnSuccess(done -> balancer.connected(backend))
                .onErrorResume(ConnectException.class, e -> {
                    balancer.connectFailed(backend);
                    log.warn("{} {} to instance {} of app {} at {}: {}", exchange.getRequest().getMethod(),
                            url.getRawPath(), backend.instanceId(), backend.app(), backend.authority(), e.toString());
                    if (upstream.repeatable() && upstream.tried().size() <= upstream.rule().retries()) {
                        Backend next = balancer.acquire(upstream.rule().app(), upstream.backends(), upstream.tried());
                        if (next != null) {
                            upstream.tried().add(next.key());
                            return forward(exchange, chain, upstream, next);
                        }
                    }
                    return Mono.error(e);
                })
                .doFinally(signal -> balancer.release(backend));
    }
}
