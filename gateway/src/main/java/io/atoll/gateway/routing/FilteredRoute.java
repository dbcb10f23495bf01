package io.atoll.gateway.routing;

import java.time.Duration;
import java.util.List;
import io.atoll.model.RouteFilter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * A rule's Spring Cloud Gateway filters, bound once when the table is built. The proxy hands a
 * request for such a rule to {@link #handle} instead of relaying it itself; plain rules have
 * none and never get here.
 */
public interface FilteredRoute {

    /** Runs the request through the filters and on to an instance; completes when the answer is written. */
    Mono<Void> handle(ServerWebExchange exchange);

    /** Binds a rule's filter definitions; throws {@link IllegalArgumentException} naming the filter that does not bind. */
    @FunctionalInterface
    interface Compiler {
        FilteredRoute compile(String routeId, List<RouteFilter> filters, Duration connectTimeout,
                Duration responseTimeout);
    }
}
