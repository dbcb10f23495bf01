package io.atoll.build.log;

import io.atoll.build.BuildProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Each build's log, one UTF-8 file per build under {@code <data-dir>/logs}: the builder appends
 * lines while it runs, and readers (the live stream, the plain download) read the same file from
 * a byte offset, so a follower never slows a build down and the archive is the live log itself.
 * A log stops growing at {@code atoll.build.log.max-bytes} with a line that says so.
 */
@Component
public class BuildLogs {

    private static final Pattern ID = Pattern.compile("[0-9a-f-]{36}");

    private final Path directory;
    private final long maxBytes;

    public BuildLogs(BuildProperties properties) {
        this.directory = Path.of(properties.dataDir(), "logs");
        this.maxBytes = properties.log().maxBytes().toBytes();
    }

    /** Opens a build's log for appending; the builder's thread is its only writer. */
    public Writer writer(String buildId) {
        try {
            Files.createDirectories(directory);
            return new Writer(FileChannel.open(file(buildId), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND), maxBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log of build " + buildId, e);
        }
    }

    /** The log's whole lines from {@code offset} on, at most about {@code limit} bytes of them. */
    public Chunk read(String buildId, long offset, int limit) throws IOException {
        Path file = file(buildId);
        if (!Files.exists(file)) {
            return new Chunk(List.of(), offset);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset >= channel.size()) {
                return new Chunk(List.of(), offset);
            }
            channel.position(offset);
            byte[] bytes = new byte[(int) Math.min(limit, channel.size() - offset)];
            int read = Channels.newInputStream(channel).readNBytes(bytes, 0, bytes.length);
            List<String> lines = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < read; i++) {
                if (bytes[i] == '\n') {
                    lines.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (lines.isEmpty() && read == limit) {
                // a line longer than a whole chunk: give it out in pieces rather than never
                return new Chunk(List.of(new String(bytes, 0, read, StandardCharsets.UTF_8)), offset + read);
            }
            // a line still being written stays for the next read
            return new Chunk(lines, offset + start);
        }
    }

    /** The whole log as it stands, for a plain download; empty when the build never wrote one. */
    public Optional<InputStream> open(String buildId) throws IOException {
        Path file = file(buildId);
        return Files.exists(file) ? Optional.of(Files.newInputStream(file)) : Optional.empty();
    }

    private Path file(String buildId) {
        if (!ID.matcher(buildId).matches()) {
            throw new IllegalArgumentException("not a build id");
        }
        return directory.resolve(buildId + ".log");
    }

    /** Lines read from a log and the offset the next read starts at. */
    public record Chunk(List<String> lines, long next) {
    }

    /** Appends lines, each written through at once so that followers see it. */
    public static final class Writer implements AutoCloseable {

        private final FileChannel channel;
        private final OutputStream out;
        private final long maxBytes;
        private long written;
        private boolean full;

        Writer(FileChannel channel, long maxBytes) throws IOException {
            this.channel = channel;
            this.out = Channels.newOutputStream(channel);
            this.maxBytes = maxBytes;
            this.written = channel.size();
        }

        public synchronized void line(String text) {
            if (full) {
                return;
            }
            // one line per line: a NUL or a carriage return in a tool's output must not make a new one
            byte[] bytes = (text.replace('\n', ' ').replace('\r', ' ') + "\n").getBytes(StandardCharsets.UTF_8);
            if (written + bytes.length > maxBytes) {
                full = true;
                bytes = ("[atoll] log truncated at " + maxBytes + " bytes (atoll.build.log.max-bytes)\n")
                        .getBytes(StandardCharsets.UTF_8);
            }
            try {
                out.write(bytes);
                written += bytes.length;
            } catch (IOException e) {
                full = true;
            }
        }

        @Override
        public synchronized void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing more will be written
            }
        }
    }
}
