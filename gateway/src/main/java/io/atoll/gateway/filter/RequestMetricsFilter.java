package io.atoll.gateway.filter;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * Times every request per app, including streaming the body back (hence ordered outside the
 * response writer). The app tag comes from the routing table, so its values stay bounded: a
 * host nobody serves is counted as {@code unknown}.
 */
public class RequestMetricsFilter implements GlobalFilter, Ordered {

    public static final String METRIC = "atoll.gateway.requests";

    static final String UNKNOWN_APP = "unknown";

    /** 499 as nginx uses it: the client went away before the answer was complete. */
    private static final String CLIENT_CLOSED = "499";

    private final MeterRegistry registry;

    public RequestMetricsFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        long started = System.nanoTime();
        return chain.filter(exchange).doFinally(signal -> {
            String app = exchange.getAttributeOrDefault(AtollRoutingFilter.APP_ATTR, UNKNOWN_APP);
            HttpStatusCode status = exchange.getResponse().getStatusCode();
            String code = signal == SignalType.CANCEL ? CLIENT_CLOSED
                    : status == null ? "200" : String.valueOf(status.value());
            Timer.builder(METRIC)
                    .description("Requests through the gateway, until the last byte of the answer")
                    .tag("app", app)
                    .tag("status", code)
                    .register(registry)
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        });
    }

    @Override
    public int getOrder() {
        return NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 10;
    }
}
