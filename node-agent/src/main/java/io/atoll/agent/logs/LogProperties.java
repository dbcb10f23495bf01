package io.atoll.agent.logs;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The agent's log endpoint and the lines it keeps of containers that are gone.
 *
 * @param token the bearer token platform-api sends to read logs; a secret, never logged. Outside
 *     the {@code dev} profile an agent without one refuses every log request (401), so that no
 *     node serves its apps' output to anyone who can reach its port
 * @param keptLines lines kept of each removed container (its last ones, stdout and stderr)
 * @param keptBytes at most this many bytes of text kept per instance; the oldest lines go first
 * @param keptInstances instances whose lines are kept; the longest gone is forgotten first
 * @param dir where kept lines are written, one JSON file per instance under {@code <dir>/<nodeId>},
 *     so that an agent restart keeps them; blank keeps them in memory only
 * @param maxLineBytes a longer line is cut there and ends with {@code …} (at most 16 KiB, Docker's
 *     own split of a long line)
 * @param maxTail the largest {@code tail} a request may ask for, per instance
 * @param maxStreams log requests served at once; one more is answered 503
 * @param heartbeat how often an idle stream sends a comment (SSE) or an empty line (NDJSON), so that a
 *     client that went away is noticed and its Docker streams closed
 * @param maxFollow how long one followed stream may last; the client reconnects with {@code since}
 */
@ConfigurationProperties("atoll.agent.logs")
public record LogProperties(
        String token,
        Integer keptLines,
        Integer keptBytes,
        Integer keptInstances,
        Path dir,
        Integer maxLineBytes,
        Integer maxTail,
        Integer maxStreams,
        Duration heartbeat,
        Duration maxFollow) {

    public LogProperties {
        token = token == null || token.isBlank() ? null : token;
        keptLines = keptLines == null ? 200 : Math.max(0, keptLines);
        keptBytes = keptBytes == null ? 64 * 1024 : Math.max(0, keptBytes);
        keptInstances = keptInstances == null ? 200 : Math.max(0, keptInstances);
        dir = dir == null ? Path.of("data", "node-agent", "logs") : dir.toString().isBlank() ? null : dir;
        maxLineBytes = maxLineBytes == null ? 8 * 1024 : Math.max(64, Math.min(maxLineBytes, 16 * 1024));
        maxTail = maxTail == null ? 10_000 : Math.max(0, maxTail);
        maxStreams = maxStreams == null ? 64 : Math.max(1, maxStreams);
        heartbeat = heartbeat == null ? Duration.ofSeconds(15) : heartbeat;
        maxFollow = maxFollow == null ? Duration.ofHours(1) : maxFollow;
    }

    @Override
    public String toString() {
        return "LogProperties[token=" + (token == null ? "none" : "***") + ", keptLines=" + keptLines + ", keptBytes="
                + keptBytes + ", keptInstances=" + keptInstances + ", dir=" + dir + ", maxLineBytes=" + maxLineBytes
                + ", maxTail=" + maxTail + ", maxStreams=" + maxStreams + ", heartbeat=" + heartbeat + ", maxFollow="
                + maxFollow + "]";
    }
}
