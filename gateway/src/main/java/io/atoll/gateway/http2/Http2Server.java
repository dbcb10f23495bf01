package io.atoll.gateway.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's HTTP/2 stack, set up the gateway's way: one {@link Http2FrameCodec} per client
 * connection (framing, HPACK, flow control, stream states and every protocol check are Netty's),
 * an {@link Http2MultiplexHandler} that gives each stream a child channel of its own, and in each
 * child an {@link Http2StreamFrameToHttpObjectCodec} that turns the stream into the HTTP/1.1
 * messages the proxy already relays. A stream is thus one request and its answer on a channel of
 * its own: reading it pauses that stream's flow-control credit alone, and closing it resets that
 * stream alone.
 *
 * <p>How a connection comes to speak HTTP/2: ALPN {@code h2} on the TLS port
 * ({@link #alpn(Consumer)}), or the client's connection preface on the plain port
 * ({@link #priorKnowledge(Consumer)}). HTTP/1.1's {@code Upgrade: h2c} is not offered.
 */
public final class Http2Server {

    private static final Logger log = LoggerFactory.getLogger(Http2Server.class);

    private final Http2Properties properties;
    private final long maxHeaderListSize;
    private final long gracefulShutdownMillis;

    /**
     * @param maxHeaderListSize SETTINGS_MAX_HEADER_LIST_SIZE: the HTTP/1.1 port's header limit,
     *     so both protocols refuse the same requests (431)
     * @param shutdownGrace how long a GOAWAY waits for the streams in flight before the connection closes
     */
    public Http2Server(Http2Properties properties, int maxHeaderListSize, Duration shutdownGrace) {
        this.properties = properties;
        this.maxHeaderListSize = maxHeaderListSize;
        this.gracefulShutdownMillis = shutdownGrace.toMillis();
    }

    public boolean enabled() {
        return properties.enabled();
    }

    /** The ALPN names a TLS server context offers, most preferred first. */
    public static ApplicationProtocolConfig alpnConfig(boolean http2) {
        List<String> protocols = http2 ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
                : List.of(ApplicationProtocolNames.HTTP_1_1);
        // The only behaviours OpenSSL's ALPN supports; a client offering neither name gets no
        // ALPN answer and speaks HTTP/1.1.
        return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols);
    }

    /** A connection's HTTP/2 framing, with the gateway's settings. */
    public Http2FrameCodec frameCodec() {
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(properties.maxConcurrentStreams())
                .initialWindowSize((int) properties.initialWindowSize().toBytes())
                .maxHeaderListSize(maxHeaderListSize);
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .validateHeaders(true)
                .gracefulShutdownTimeoutMillis(gracefulShutdownMillis)
                .build();
    }

    /**
     * Raises the connection's receive window from the protocol's 64 KiB to the configured size,
     * which streams share; call once the codec is in the pipeline (its preface is then sent).
     */
    public void raiseConnectionWindow(Http2FrameCodec codec) {
        Http2Connection connection = codec.connection();
        int delta = (int) properties.connectionWindowSize().toBytes() - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
        if (delta <= 0) {
            return;
        }
        try {
            connection.local().flowController().incrementWindowSize(connection.connectionStream(), delta);
        } catch (Http2Exception e) {
            throw new IllegalStateException("Cannot raise the HTTP/2 connection window: " + e.getMessage(), e);
        }
    }

    /** Gives each stream a child channel set up by {@code streamInitializer}. */
    public static Http2MultiplexHandler multiplex(ChannelHandler streamInitializer) {
        return new Http2MultiplexHandler(streamInitializer);
    }

    /** The first handlers of a stream's channel: after them, the stream reads and writes HTTP/1.1 objects. */
    public static ChannelHandler[] streamCodecs() {
        return new ChannelHandler[] {new Http2StreamFrameToHttpObjectCodec(true, true), new Http2StreamAdapter()};
    }

    /**
     * On the TLS port, after the handshake: {@code onHttp2} turns the connection to HTTP/2 when
     * the client chose {@code h2}; anything else (including no ALPN at all) leaves the HTTP/1.1
     * pipeline as it is.
     */
    public static ChannelHandler alpn(Consumer<ChannelHandlerContext> onHttp2) {
        return new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    onHttp2.accept(ctx);
                }
            }

            @Override
            protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                // Scanners and plain HTTP sent to the TLS port: nothing an operator can act on.
                log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
                ctx.close();
            }
        };
    }

    /**
     * On the plain port: looks at a connection's first bytes once. The 24-byte HTTP/2 connection
     * preface ({@code PRI * HTTP/2.0...}) calls {@code onHttp2}; the first byte that differs
     * from it hands the connection to HTTP/1.1 unchanged. Either way the detector leaves the
     * pipeline, passing on every byte it saw, so later requests pay nothing for it.
     */
    public static ChannelHandler priorKnowledge(Consumer<ChannelHandlerContext> onHttp2) {
        return new PriorKnowledgeDetector(onHttp2);
    }

    private static final class PriorKnowledgeDetector extends ByteToMessageDecoder {

        private final Consumer<ChannelHandlerContext> onHttp2;

        PriorKnowledgeDetector(Consumer<ChannelHandlerContext> onHttp2) {
            this.onHttp2 = onHttp2;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
            try {
                int seen = Math.min(in.readableBytes(), preface.readableBytes());
                for (int i = 0; i < seen; i++) {
                    if (in.getByte(in.readerIndex() + i) != preface.getByte(i)) {
                        ctx.pipeline().remove(this);
                        return;
                    }
                }
                if (seen == preface.readableBytes()) {
                    onHttp2.accept(ctx);
                    ctx.pipeline().remove(this);
                }
            } finally {
                preface.release();
            }
        }
    }
}
