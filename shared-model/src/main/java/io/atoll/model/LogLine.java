package io.atoll.model;

import java.time.Instant;

/**
 * One line an instance wrote, or one line Atoll says about the stream itself, as the node agent's
 * log endpoint sends it to platform-api (one JSON object per line) and as both send it to a client
 * (the {@code data} of a server-sent event). The line is text without its line end: bytes that
 * are not UTF-8 arrive as U+FFFD, and a line longer than the agent's bound is cut and ends with
 * {@code …}.
 *
 * @param app the app the instance belongs to
 * @param instance the instance that wrote it; null for a notice about a whole node
 * @param node the node the instance runs (or ran) on
 * @param stream {@link #STDOUT}, {@link #STDERR}, or {@link #ATOLL} for a notice of Atoll's
 *     (a container gone and its kept lines following, a node that cannot be reached)
 * @param time when Docker received the line (for a notice, when it was said)
 * @param line the text
 */
public record LogLine(String app, String instance, String node, String stream, Instant time, String line) {

    public static final String STDOUT = "stdout";
    public static final String STDERR = "stderr";
    public static final String ATOLL = "atoll";

    public static LogLine notice(String app, String instance, String node, String message) {
        return new LogLine(app, instance, node, ATOLL, Instant.now(), message);
    }

    public boolean isNotice() {
        return ATOLL.equals(stream);
    }
}
