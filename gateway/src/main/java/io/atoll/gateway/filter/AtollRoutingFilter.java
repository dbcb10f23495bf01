package io.atoll.gateway.filter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE;

import io.atoll.gateway.balancing.LeastOutstandingBalancer;
import io.atoll.gateway.config.AtollGatewayProperties;
import io.atoll.gateway.routing.AppBackends;
import io.atoll.gateway.routing.AppRule;
import io.atoll.gateway.routing.Backend;
import io.atoll.gateway.routing.Resolution;
import io.atoll.gateway.routing.RoutingTable;
import io.atoll.gateway.routing.RoutingTableWatcher;
import java.net.URI;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The heart of the gateway: looks the request's host up in the current routing table, picks a
 * HEALTHY instance and points Spring Cloud Gateway's proxy at it. Everything the gateway says
 * itself (no such host, no healthy instance, instance failed) is a problem+json answer.
 *
 * <p>Runs after {@link RouteToRequestUrlFilter} so that its target URL is final, and before the
 * Netty routing filter that does the actual proxying with its pooled client.
 */
public class AtollRoutingFilter implements GlobalFilter, Ordered {

    /** The app a request was routed to, for metrics and logs. */
    public static final String APP_ATTR = AtollRoutingFilter.class.getName() + ".app";

    /** The instance a request was sent to. */
    public static final String BACKEND_ATTR = AtollRoutingFilter.class.getName() + ".backend";

    public static final int ORDER = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 100;

    private static final Logger log = LoggerFactory.getLogger(AtollRoutingFilter.class);

    private static final Set<HttpMethod> RETRYABLE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final RoutingTableWatcher tables;
    private final LeastOutstandingBalancer balancer;
    private final AtollGatewayProperties properties;

    public AtollRoutingFilter(RoutingTableWatcher tables, LeastOutstandingBalancer balancer,
            AtollGatewayProperties properties) {
        this.tables = tables;
        this.balancer = balancer;
        this.properties = properties;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String host = hostOf(request);
        if (host == null) {
            return ProblemResponses.write(exchange, HttpStatus.BAD_REQUEST, "the request names no host");
        }
        RoutingTable table = tables.current();
        Resolution resolution = table.resolve(host, request);
        if (resolution instanceof Resolution.NoRoute noRoute) {
            return ProblemResponses.write(exchange, HttpStatus.NOT_FOUND, "no app serves host '" + noRoute.host()
                    + "'" + (table.knowsHost(host) ? " at path '" + noRoute.path() + "'" : ""));
        }
        if (resolution instanceof Resolution.NoHealthyInstance none) {
            exchange.getAttributes().put(APP_ATTR, none.app());
            exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER,
                    String.valueOf(Math.max(1, properties.retryAfter().toSeconds())));
            return ProblemResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE,
                    "app '" + none.app() + "' has no healthy instance");
        }
        Resolution.Match match = (Resolution.Match) resolution;
        exchange.getAttributes().put(APP_ATTR, match.rule().app());
        exchange.getAttributes().put(GATEWAY_ROUTE_ATTR, match.rule().route());
        // Apps see the name the client used, as behind any classic virtual-host router.
        exchange.getAttributes().put(PRESERVE_HOST_HEADER_ATTRIBUTE, true);
        Set<String> tried = new HashSet<>();
        Backend first = balancer.acquire(match.rule().app(), match.backends(), tried);
        if (first == null) {
            return ProblemResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE,
                    "app '" + match.rule().app() + "' has no healthy instance");
        }
        return proxy(exchange, chain, match.rule(), match.backends(), tried, first);
    }

    private Mono<Void> proxy(ServerWebExchange exchange, GatewayFilterChain chain, AppRule rule,
            AppBackends backends, Set<String> tried, Backend backend) {
        tried.add(backend.key());
        exchange.getAttributes().put(BACKEND_ATTR, backend);
        exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, targetOf(exchange.getRequest(), rule, backend));
        return chain.filter(exchange)
                .doOnSuccess(done -> balancer.connected(backend))
                .doFinally(signal -> balancer.release(backend))
                .onErrorResume(error -> {
                    if (exchange.getResponse().isCommitted()) {
                        return Mono.error(error);
                    }
                    BackendFailure failure = BackendFailure.of(error, rule.app());
                    log.warn("{} {} to instance {} of app {} at {}: {}", exchange.getRequest().getMethod(),
                            exchange.getRequest().getPath(), backend.instanceId(), rule.app(), backend.authority(),
                            error.toString());
                    if (failure.connectFailed()) {
                        balancer.connectFailed(backend);
                        if (tried.size() <= rule.retries() && canRetry(exchange.getRequest())) {
                            Backend next = balancer.acquire(rule.app(), backends, tried);
                            if (next != null) {
                                ServerWebExchangeUtils.reset(exchange);
                                return proxy(exchange, chain, rule, backends, tried, next);
                            }
                        }
                    }
                    return ProblemResponses.write(exchange, failure.status(), failure.detail()
                            + (tried.size() > 1 ? " (tried " + tried.size() + " instances)" : ""));
                });
    }

    /**
     * Only requests that are safe to repeat and whose body cannot have been consumed: a refused
     * connection never sent anything, but a body stream can be read only once.
     */
    private static boolean canRetry(ServerHttpRequest request) {
        HttpHeaders headers = request.getHeaders();
        return RETRYABLE.contains(request.getMethod())
                && headers.getContentLength() <= 0
                && !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
    }

    private static URI targetOf(ServerHttpRequest request, AppRule rule, Backend backend) {
        URI incoming = request.getURI();
        String path = rule.forwardedPath(incoming.getRawPath() == null ? "/" : incoming.getRawPath());
        String query = incoming.getRawQuery();
        return URI.create("http://" + backend.authority() + path + (query == null ? "" : "?" + query));
    }

    /** The Host header (or HTTP/2 authority) without its port. */
    static String hostOf(ServerHttpRequest request) {
        String host = request.getHeaders().getFirst(HttpHeaders.HOST);
        if (host == null || host.isBlank()) {
            host = request.getURI().getHost();
        }
        return RoutingTable.normaliseHost(host);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
