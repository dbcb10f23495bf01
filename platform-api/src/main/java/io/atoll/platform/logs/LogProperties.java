package io.atoll.platform.logs;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code GET /api/v1/apps/{app}/logs}.
 *
 * @param defaultTail lines per instance to start with when the request names no {@code tail}
 * @param maxTail the largest {@code tail} a request may ask for (per instance); more is a 400
 * @param maxStreams log requests served at once; one more is answered 503
 * @param heartbeat how often an idle SSE stream sends a comment, so that a client that went away is
 *     noticed and the agents' streams closed
 * @param maxFollow how long one followed stream may last; the client reconnects with {@code since}
 * @param agentTimeout how long an agent may take to answer (its headers) before its lines are
 *     reported missing
 */
@ConfigurationProperties("atoll.platform.logs")
public record LogProperties(Integer defaultTail, Integer maxTail, Integer maxStreams, Duration heartbeat,
        Duration maxFollow, Duration agentTimeout) {

    public LogProperties {
        maxTail = maxTail == null ? 10_000 : Math.max(0, maxTail);
        defaultTail = defaultTail == null ? 100 : Math.max(0, Math.min(defaultTail, maxTail));
        maxStreams = maxStreams == null ? 64 : Math.max(1, maxStreams);
        heartbeat = heartbeat == null ? Duration.ofSeconds(15) : heartbeat;
        maxFollow = maxFollow == null ? Duration.ofHours(1) : maxFollow;
        agentTimeout = agentTimeout == null ? Duration.ofSeconds(5) : agentTimeout;
    }
}
