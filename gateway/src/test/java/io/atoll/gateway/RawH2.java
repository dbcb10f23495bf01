package io.atoll.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An HTTP/2 client that sends whatever frames a test asks for, valid or not, over a real socket
 * to the plain port (prior knowledge). Frames are written and read by Netty's own frame writer and
 * reader, with no protocol state on this side: no header validation, no stream limits, and flow
 * control only when the test sends WINDOW_UPDATE itself.
 */
final class RawH2 implements AutoCloseable {

    sealed interface Frame permits HeadersFrame, DataFrame, ResetFrame, GoAwayFrame, SettingsFrame {
        int streamId();
    }

    record HeadersFrame(int streamId, Http2Headers headers, boolean endStream) implements Frame {
        String status() {
            return String.valueOf(headers.status());
        }
    }

    record DataFrame(int streamId, String data, boolean endStream) implements Frame {
    }

    record ResetFrame(int streamId, long errorCode) implements Frame {
    }

    record GoAwayFrame(int streamId, long errorCode) implements Frame {
    }

    record SettingsFrame(int streamId, Http2Settings settings) implements Frame {
    }

    private final Socket socket;
    private final OutputStream out;
    private final EmbeddedChannel encoder;
    private final ChannelHandlerContext ctx;
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    /** Frames read and not yet taken by a test, in order. */
    private final List<Frame> frames = new ArrayList<>();
    private final Thread readerThread;
    private volatile boolean closed;

    RawH2(int port) throws IOException {
        this(port, Http2Settings.defaultSettings());
    }

    RawH2(int port, Http2Settings settings) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        encoder = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ctx = encoder.pipeline().firstContext();
        ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        byte[] bytes = new byte[preface.readableBytes()];
        preface.readBytes(bytes);
        preface.release();
        out.write(bytes);
        writer.writeSettings(ctx, settings, ctx.newPromise());
        send();
        readerThread = new Thread(this::readLoop, "raw-h2-reader");
        readerThread.setDaemon(true);
        readerThread.start();
    }

    /** Request headers as a client names them; {@code extra} pairs may repeat names or break rules. */
    static Http2Headers request(String method, String authority, String path, String... extra) {
        Http2Headers headers = new DefaultHttp2Headers(false).method(method).scheme("http").path(path);
        if (authority != null) {
            headers.authority(authority);
        }
        for (int i = 0; i < extra.length; i += 2) {
            headers.add(extra[i], extra[i + 1]);
        }
        return headers;
    }

    synchronized void headers(int streamId, Http2Headers headers, boolean endStream) throws IOException {
        writer.writeHeaders(ctx, streamId, headers, 0, endStream, ctx.newPromise());
        send();
    }

    synchronized void data(int streamId, String data, boolean endStream) throws IOException {
        writer.writeData(ctx, streamId, Unpooled.copiedBuffer(data, StandardCharsets.ISO_8859_1), 0, endStream,
                ctx.newPromise());
        send();
    }

    synchronized void reset(int streamId, long errorCode) throws IOException {
        writer.writeRstStream(ctx, streamId, errorCode, ctx.newPromise());
        send();
    }

    synchronized void windowUpdate(int streamId, int increment) throws IOException {
        writer.writeWindowUpdate(ctx, streamId, increment, ctx.newPromise());
        send();
    }

    private void send() throws IOException {
        ctx.flush();
        ByteBuf buf;
        while ((buf = encoder.readOutbound()) != null) {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            out.write(bytes);
        }
        out.flush();
    }

    /** Takes the first frame matching, leaving others for later; null if none comes in time. */
    Frame await(Predicate<Frame> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (frames) {
            while (true) {
                for (int i = 0; i < frames.size(); i++) {
                    if (wanted.test(frames.get(i))) {
                        return frames.remove(i);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(frames, left);
            }
        }
    }

    private void received(Frame frame) {
        synchronized (frames) {
            frames.add(frame);
            frames.notifyAll();
        }
    }

    /**
     * The whole answer of one stream: status and body; {@code resetCode} if the stream was reset,
     * or, with {@code goAway}, the connection closed.
     */
    record Answer(String status, Http2Headers headers, String body, Long resetCode, boolean goAway) {
    }

    Answer answer(int streamId, Duration timeout) throws InterruptedException {
        Http2Headers head = null;
        StringBuilder body = new StringBuilder();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Frame frame = await(f -> f.streamId() == streamId || f instanceof GoAwayFrame,
                    Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame == null) {
                throw new AssertionError("stream " + streamId + " got no end in time; so far " + head + " " + body);
            }
            if (frame instanceof ResetFrame reset) {
                return new Answer(head == null ? null : String.valueOf(head.status()), head, body.toString(),
                        reset.errorCode(), false);
            }
            if (frame instanceof GoAwayFrame goAway) {
                return new Answer(head == null ? null : String.valueOf(head.status()), head, body.toString(),
                        goAway.errorCode(), true);
            }
            boolean end = false;
            if (frame instanceof HeadersFrame headers) {
                if (head == null || String.valueOf(head.status()).startsWith("1")) {
                    head = headers.headers();
                }
                end = headers.endStream();
            } else if (frame instanceof DataFrame data) {
                body.append(data.data());
                end = data.endStream();
            }
            if (end) {
                return new Answer(String.valueOf(head.status()), head, body.toString(), null, false);
            }
        }
    }

    private void readLoop() {
        DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader(false);
        ByteBuf buffer = Unpooled.buffer();
        Http2FrameAdapter listener = new Http2FrameAdapter() {
            @Override
            public int onDataRead(ChannelHandlerContext c, int streamId, ByteBuf data, int padding, boolean endOfStream) {
                received(new DataFrame(streamId, data.toString(StandardCharsets.ISO_8859_1), endOfStream));
                return data.readableBytes() + padding;
            }

            @Override
            public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int padding,
                    boolean endStream) {
                received(new HeadersFrame(streamId, headers, endStream));
            }

            @Override
            public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int dependency,
                    short weight, boolean exclusive, int padding, boolean endStream) {
                received(new HeadersFrame(streamId, headers, endStream));
            }

            @Override
            public void onRstStreamRead(ChannelHandlerContext c, int streamId, long errorCode) {
                received(new ResetFrame(streamId, errorCode));
            }

            @Override
            public void onGoAwayRead(ChannelHandlerContext c, int lastStreamId, long errorCode, ByteBuf debugData) {
                received(new GoAwayFrame(0, errorCode));
            }

            @Override
            public void onSettingsRead(ChannelHandlerContext c, Http2Settings settings) {
                received(new SettingsFrame(0, settings));
                synchronized (RawH2.this) {
                    writer.writeSettingsAck(ctx, ctx.newPromise());
                    try {
                        send();
                    } catch (IOException e) {
                        // the test sees the connection's end
                    }
                }
            }
        };
        try (InputStream in = socket.getInputStream()) {
            byte[] chunk = new byte[16384];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                buffer.writeBytes(chunk, 0, n);
                while (buffer.isReadable()) {
                    int before = buffer.readerIndex();
                    reader.readFrame(ctx, buffer, listener);
                    if (buffer.readerIndex() == before) {
                        break;
                    }
                }
                buffer.discardReadBytes();
            }
        } catch (IOException | Http2Exception e) {
            if (!closed) {
                received(new GoAwayFrame(0, -1));
            }
        } finally {
            buffer.release();
            reader.close();
        }
        received(new GoAwayFrame(0, -2));
    }

    /** Settings the server sent first. */
    Http2Settings serverSettings() throws InterruptedException {
        Frame frame = await(f -> f instanceof SettingsFrame s && !s.settings().isEmpty(), Duration.ofSeconds(5));
        return frame == null ? null : ((SettingsFrame) frame).settings();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
        encoder.finishAndReleaseAll();
    }
}
