package io.atoll.build.log;

import io.atoll.build.BuildProperties;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Each build's log, one UTF-8 file per build under {@code <data-dir>/logs}: the builder appends
 * lines while it runs, and readers (the live stream, the plain download) read the same file from
 * a byte offset, so a follower never slows a build down. A log stops growing at
 * {@code atoll.build.log.max-bytes} with a line that says so.
 *
 * <p>With the {@code s3} archive, a finished log moves to the bucket ({@link LogArchiver}); a log
 * whose file is gone is read from there, byte for byte the same, so offsets do not change.
 */
@Component
public class BuildLogs {

    private static final Pattern ID = Pattern.compile("[0-9a-f-]{36}");
    private static final String SUFFIX = ".log";

    private final Path directory;
    private final long maxBytes;
    private final S3LogArchive archive;
    /** Builds whose writer is open in this process: their logs are still growing. */
    private final Set<String> writing = ConcurrentHashMap.newKeySet();
    private volatile Consumer<String> afterClose = id -> { };

    @Autowired
    public BuildLogs(BuildProperties properties, ObjectProvider<S3LogArchive> archive) {
        this(Path.of(properties.dataDir(), "logs"), properties.log().maxBytes().toBytes(), archive.getIfAvailable());
    }

    /** {@code archive} null: logs stay on the file system. */
    BuildLogs(Path directory, long maxBytes, S3LogArchive archive) {
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.archive = archive;
    }

    /** Opens a build's log for appending; the builder's thread is its only writer. */
    public Writer writer(String buildId) {
        Path file = file(buildId);
        // marked before the file exists, so that no archiving pass ever takes a growing log for a finished one
        writing.add(buildId);
        try {
            Files.createDirectories(directory);
            // a FileOutputStream, not a channel: an interrupt (a cancel) closes a channel in the middle
            // of a write, and the lines saying how the build ended would be lost with it
            return new Writer(new FileOutputStream(file.toFile(), true), Files.size(file), maxBytes,
                    () -> closed(buildId));
        } catch (IOException e) {
            writing.remove(buildId);
            throw new UncheckedIOException("cannot open the log of build " + buildId, e);
        }
    }

    /**
     * The log's whole lines from {@code offset} on, at most about {@code limit} bytes of them: from
     * the file while there is one, else from the archive.
     *
     * @throws LogArchiveException when the log is archived and the archive cannot be read now
     */
    public Chunk read(String buildId, long offset, int limit) throws IOException {
        Path file = file(buildId);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset >= channel.size()) {
                return new Chunk(List.of(), offset);
            }
            channel.position(offset);
            byte[] bytes = new byte[(int) Math.min(limit, channel.size() - offset)];
            int read = Channels.newInputStream(channel).readNBytes(bytes, 0, bytes.length);
            return lines(bytes, read, offset, limit);
        } catch (NoSuchFileException e) {
            if (archive == null) {
                return new Chunk(List.of(), offset);
            }
            byte[] bytes = archive.read(buildId, offset, limit);
            return lines(bytes, bytes.length, offset, limit);
        }
    }

    private static Chunk lines(byte[] bytes, int read, long offset, int limit) {
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

    /**
     * The whole log as it stands, for a plain download: the file while there is one, else the
     * archived object; empty when the build never wrote one.
     *
     * @throws LogArchiveException when the log is archived and the archive cannot be read now
     */
    public Optional<InputStream> open(String buildId) throws IOException {
        try {
            return Optional.of(Files.newInputStream(file(buildId)));
        } catch (NoSuchFileException e) {
            return archive == null ? Optional.empty() : archive.open(buildId);
        }
    }

    /** Builds whose log is on disk with no writer open in this process: finished, or left by a previous one. */
    List<String> closedOnDisk() throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(name -> name.endsWith(SUFFIX))
                    .map(name -> name.substring(0, name.length() - SUFFIX.length()))
                    .filter(id -> ID.matcher(id).matches() && !writing.contains(id))
                    .sorted()
                    .toList();
        }
    }

    /** Called with a build's id once its writer has closed (on the builder's thread, so it must not block). */
    void afterClose(Consumer<String> listener) {
        afterClose = listener;
    }

    private void closed(String buildId) {
        writing.remove(buildId);
        afterClose.accept(buildId);
    }

    Path file(String buildId) {
        if (!ID.matcher(buildId).matches()) {
            throw new IllegalArgumentException("not a build id");
        }
        return directory.resolve(buildId + SUFFIX);
    }

    /** Lines read from a log and the offset the next read starts at. */
    public record Chunk(List<String> lines, long next) {
    }

    /** Appends lines, each written through at once so that followers see it. */
    public static final class Writer implements AutoCloseable {

        private final OutputStream out;
        private final long maxBytes;
        private final Runnable onClose;
        private long written;
        private boolean full;
        private boolean closed;

        Writer(OutputStream out, long written, long maxBytes, Runnable onClose) {
            this.out = out;
            this.maxBytes = maxBytes;
            this.onClose = onClose;
            this.written = written;
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

        /** Ends the log: nothing more is written to it, and with the {@code s3} archive it is uploaded next. */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                out.close();
            } catch (IOException e) {
                // nothing more will be written
            }
            onClose.run();
        }
    }
}
