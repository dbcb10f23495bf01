package io.atoll.gateway.warmup;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The warm-up the gateway runs before it reports ready: synthetic requests through its own proxy
 * to an in-process backend, so that the JIT has compiled the request path before real traffic
 * arrives (docs/benchmarks.md, "Gateway cold start").
 *
 * @param enabled false: readiness does not wait for any warm-up
 * @param maxDuration the longest the warm-up may hold readiness back
 * @param maxRequests the warm-up ends after this many requests, however long that took
 * @param connections client connections the synthetic requests are spread over
 */
@ConfigurationProperties("atoll.gateway.warmup")
public record WarmupProperties(Boolean enabled, Duration maxDuration, Integer maxRequests, Integer connections) {

    public WarmupProperties {
        enabled = enabled == null || enabled;
        maxDuration = maxDuration == null ? Duration.ofSeconds(20) : maxDuration;
        if (maxDuration.isNegative()) {
            throw new IllegalArgumentException("atoll.gateway.warmup.max-duration must not be negative, not " + maxDuration);
        }
        maxRequests = maxRequests == null ? 400_000 : Math.max(0, maxRequests);
        connections = connections == null ? 8 : Math.max(1, connections);
    }
}
