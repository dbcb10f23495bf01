package io.atoll.gateway.proxy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Times every request per app and status, until the last byte of the answer. The app tag comes
 * from the routing table, so its values stay bounded: a host nobody serves is counted as
 * {@code unknown}. Timers are cached per app and status so that a request costs an array read,
 * not a meter-registry lookup.
 */
public final class RequestMetrics {

    public static final String METRIC = "atoll.gateway.requests";

    static final String UNKNOWN_APP = "unknown";

    /** As nginx counts it: the client went away before the answer was complete. */
    static final int CLIENT_CLOSED = 499;

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer[]> timers = new ConcurrentHashMap<>();

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(String app, int status, long startedNanos) {
        String tag = app == null ? UNKNOWN_APP : app;
        int code = status < 100 || status > 599 ? 599 : status;
        Timer[] byStatus = timers.computeIfAbsent(tag, a -> new Timer[600]);
        Timer timer = byStatus[code];
        if (timer == null) {
            // A racing thread registers the same meter: Micrometer returns the existing one.
            timer = Timer.builder(METRIC)
                    .description("Requests through the gateway, until the last byte of the answer")
                    .tag("app", tag)
                    .tag("status", String.valueOf(code))
                    .register(registry);
            byStatus[code] = timer;
        }
        timer.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }
}
