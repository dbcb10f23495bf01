package io.atoll.agent.docker;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The last lines of a Docker log stream read with timestamps, within two bounds, a line count and
 * a byte count: bytes are split into lines as they arrive, every line is cut at {@code maxBytes},
 * and only the newest {@code maxLines} are kept, so memory stays bounded whatever the container
 * wrote. Lines stamped before {@code notBefore} are dropped: a restarted container's log holds
 * every earlier run too, and only the run that just ended tells why it ended. Not thread-safe.
 */
final class LogTail {

    private static final String CUT = "…";
    /** Docker's RFC 3339 timestamp with nanoseconds and the space after it. */
    private static final int STAMP_MAX = 40;

    private final int maxLines;
    private final int maxBytes;
    private final Instant notBefore;
    private final Deque<String> lines = new ArrayDeque<>();
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private boolean currentCut;

    /**
     * @param notBefore lines stamped earlier are dropped; null keeps every line, and then the
     *     stream is read as having no timestamps
     */
    LogTail(int maxLines, int maxBytes, Instant notBefore) {
        this.maxLines = maxLines;
        this.maxBytes = maxBytes;
        this.notBefore = notBefore;
    }

    void accept(byte[] chunk) {
        int limit = maxBytes + (notBefore == null ? 0 : STAMP_MAX);
        for (byte b : chunk) {
            if (b == '\n') {
                endLine();
            } else if (current.size() < limit) {
                current.write(b);
            } else {
                currentCut = true;
            }
        }
    }

    /** Oldest first; together at most {@code maxBytes} of text (UTF-8), dropping the oldest lines first. */
    List<String> lines() {
        if (current.size() > 0) {
            endLine();
        }
        List<String> out = new ArrayList<>();
        int total = 0;
        for (var it = lines.descendingIterator(); it.hasNext(); ) {
            String line = it.next();
            int size = line.getBytes(StandardCharsets.UTF_8).length + (out.isEmpty() ? 0 : 1);
            if (total + size > maxBytes) {
                break;
            }
            total += size;
            out.add(0, line);
        }
        return out;
    }

    private void endLine() {
        byte[] bytes = current.toByteArray();
        boolean cut = currentCut;
        current.reset();
        currentCut = false;
        int start = 0;
        if (notBefore != null) {
            int space = indexOf(bytes, (byte) ' ', STAMP_MAX);
            Instant stamp = space < 0 ? null : parse(new String(bytes, 0, space, StandardCharsets.US_ASCII));
            if (stamp != null && stamp.isBefore(notBefore)) {
                return;
            }
            start = stamp == null ? 0 : space + 1;
        }
        int end = bytes.length;
        if (end > start && bytes[end - 1] == '\r') {
            end--;
        }
        if (end - start > maxBytes) {
            end = start + maxBytes;
            cut = true;
        }
        byte[] line = Arrays.copyOfRange(bytes, start, end);
        if (cut) {
            byte[] mark = CUT.getBytes(StandardCharsets.UTF_8);
            int keep = Math.max(0, Math.min(line.length, maxBytes - mark.length));
            byte[] shortened = Arrays.copyOf(line, keep + mark.length);
            System.arraycopy(mark, 0, shortened, keep, mark.length);
            line = shortened;
        }
        if (maxLines <= 0) {
            return;
        }
        lines.addLast(new String(line, StandardCharsets.UTF_8));
        while (lines.size() > maxLines) {
            lines.removeFirst();
        }
    }

    private static int indexOf(byte[] bytes, byte wanted, int within) {
        for (int i = 0; i < Math.min(bytes.length, within); i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static Instant parse(String stamp) {
        try {
            return Instant.parse(stamp);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
