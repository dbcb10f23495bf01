package io.atoll.agent.logs;

import io.atoll.model.LogLine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One stream (stdout or stderr) of one container's Docker log, read with timestamps, cut into
 * {@link LogLine}s as its bytes arrive: split at {@code \n} only (a {@code \r} before it goes, any
 * other stays in the line for the formats to escape), each line cut at {@code maxLineBytes} with
 * {@code …}, so memory per stream is bounded whatever the app writes; bytes that are not UTF-8
 * become U+FFFD. Not thread-safe: Docker's frames of one stream arrive in order on one thread.
 *
 * <p>Like {@code docker.LogTail}, which the crash problem uses, but that one merges the streams and
 * drops the time, both of which a log line here carries.
 */
final class LineSplitter {

    private static final byte[] CUT = "…".getBytes(StandardCharsets.UTF_8);
    /** Docker's RFC 3339 timestamp with nanoseconds and the space after it. */
    private static final int STAMP_MAX = 40;

    private final String app;
    private final String instance;
    private final String node;
    private final String stream;
    private final int maxLineBytes;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private boolean cut;
    /** The time of the last whole line: a partial line at the end of the stream takes it if it has none. */
    private Instant lastTime;

    LineSplitter(String app, String instance, String node, String stream, int maxLineBytes) {
        this.app = app;
        this.instance = instance;
        this.node = node;
        this.stream = stream;
        this.maxLineBytes = maxLineBytes;
    }

    /** The lines this chunk completes, oldest first. */
    List<LogLine> accept(byte[] chunk) {
        List<LogLine> lines = new ArrayList<>();
        int limit = maxLineBytes + STAMP_MAX;
        for (byte b : chunk) {
            if (b == '\n') {
                lines.add(endLine());
            } else if (current.size() < limit) {
                current.write(b);
            } else {
                cut = true;
            }
        }
        return lines;
    }

    /** The last line if it had no line end; null if there is none. */
    LogLine finish() {
        return current.size() > 0 ? endLine() : null;
    }

    private LogLine endLine() {
        byte[] bytes = current.toByteArray();
        boolean wasCut = cut;
        current.reset();
        cut = false;
        int space = indexOf(bytes, (byte) ' ', STAMP_MAX);
        Instant time = space < 0 ? null : parse(new String(bytes, 0, space, StandardCharsets.US_ASCII));
        int start = time == null ? 0 : space + 1;
        int end = bytes.length;
        if (end > start && bytes[end - 1] == '\r') {
            end--;
        }
        if (end - start > maxLineBytes) {
            end = start + maxLineBytes;
            wasCut = true;
        }
        byte[] line = Arrays.copyOfRange(bytes, start, end);
        if (wasCut) {
            int keep = Math.max(0, Math.min(line.length, maxLineBytes - CUT.length));
            line = Arrays.copyOf(line, keep + CUT.length);
            System.arraycopy(CUT, 0, line, keep, CUT.length);
        }
        if (time == null) {
            time = lastTime != null ? lastTime : Instant.now();
        }
        lastTime = time;
        return new LogLine(app, instance, node, stream, time, new String(line, StandardCharsets.UTF_8));
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
