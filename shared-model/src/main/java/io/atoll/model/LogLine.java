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

    /**
     * The line as one line of plain text, {@code <time> <instance> <stream> <line>} ({@code -} for
     * no instance), without its line end. Control characters but tab (C0, DEL, C1) become U+FFFD:
     * an app's bytes must not move a reader's terminal cursor or end the line early.
     */
    public String toText() {
        return time + " " + (instance == null ? "-" : instance) + " " + stream + " " + printable(line);
    }

    /** {@code text} with every control character but tab replaced by U+FFFD. */
    public static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f);
            if (control && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(control ? '\uFFFD' : c);
            }
        }
        return out == null ? text : out.toString();
    }
}
