package io.atoll.registry.web;

import io.atoll.registry.RegistryProperties;
import jakarta.servlet.ServletOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.springframework.stereotype.Component;

/**
 * Copies blob bytes to a response. A local file is read into a direct buffer and handed to
 * Tomcat as a {@link ByteBuffer}: Tomcat copies it into the socket's direct write buffer (see
 * {@link TomcatConfiguration}), except the last 8 KiB of each piece, which pass through its
 * response buffer, and the bytes leave in writes of the buffer's size.
 *
 * <p>Not sendfile by default: on loopback, where a single-host install pulls its own images,
 * the client receives the server's own socket buffers, and sendfile's kept its receive window
 * at 128 KiB and its segments at half size, so the pulling client spent more CPU per byte
 * (docs/benchmarks.md). Written bytes behave like Distribution's.
 *
 * <p>The first bytes of a body leave in growing pieces, each flushed ({@link #RAMP}). Linux
 * widens a receiver's window only while data arrives to a receive buffer with room in it; a
 * client that gets the head and a whole write buffer at once starts with its buffer full and
 * keeps a narrower window, so smaller segments and more of them, for the whole body. On
 * loopback a pulling skopeo, bound by its own CPU, took about 7% more packets from Atoll than
 * from Distribution, whose Go server flushes its first 4 KiB; with these pieces it takes as
 * many or fewer (docs/benchmarks.md, "Registry cold start"). Four more writes per blob cost
 * nothing a client would notice.
 */
@Component
class BlobWriter {

    private static final int POOLED_BYTES = 4 << 20;
    /** The sizes of a body's first pieces, each written and flushed on its own. */
    static final int[] RAMP = {4 << 10, 8 << 10, 16 << 10, 32 << 10};

    private final int size;
    private final TransferMetrics metrics;
    // Direct buffers are slow to allocate and freed only by GC; up to 4 MiB of them are kept.
    private final BlockingQueue<ByteBuffer> free;

    BlobWriter(RegistryProperties properties, TransferMetrics metrics) {
        this.size = properties.http().writeBufferBytes();
        this.metrics = metrics;
        this.free = new ArrayBlockingQueue<>(Math.max(1, POOLED_BYTES / size));
    }

    /** Writes {@code length} bytes of {@code file} from {@code position}, fewer if the file is shorter. */
    void write(Path file, long position, long length, ServletOutputStream out) throws IOException {
        ByteBuffer buffer = acquire();
        long written = 0;
        int piece = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (written < length) {
                buffer.clear().limit((int) Math.min(pieceSize(piece), length - written));
                int n = channel.read(buffer, position + written);
                if (n < 0) {
                    break;
                }
                buffer.flip();
                out.write(buffer);
                flushIfRamping(piece++, out);
                metrics.sent(n);
                written += n;
            }
        } finally {
            free.offer(buffer);
        }
    }

    /** The same for a backend without local files: a stream, through a heap buffer. */
    void write(InputStream in, long length, ServletOutputStream out) throws IOException {
        byte[] buffer = new byte[size];
        long written = 0;
        int piece = 0;
        while (written < length) {
            int n = in.read(buffer, 0, (int) Math.min(pieceSize(piece), length - written));
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            flushIfRamping(piece++, out);
            metrics.sent(n);
            written += n;
        }
    }

    private int pieceSize(int piece) {
        return piece < RAMP.length ? Math.min(RAMP[piece], size) : size;
    }

    private static void flushIfRamping(int piece, ServletOutputStream out) throws IOException {
        if (piece < RAMP.length) {
            out.flush();
        }
    }

    private ByteBuffer acquire() {
        ByteBuffer buffer = free.poll();
        return buffer != null ? buffer : ByteBuffer.allocateDirect(size);
    }
}
