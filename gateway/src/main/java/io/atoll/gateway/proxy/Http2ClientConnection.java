package io.atoll.gateway.proxy;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link ClientConnection} does for a whole HTTP/1.1 connection, for an HTTP/2 one, whose
 * requests each have a stream channel (and a {@code ClientConnection}) of their own: it counts
 * against the address's connection limit (streams do not), closes when idle with no stream open,
 * is cut if its first request's headers do not arrive within the header timeout, and on
 * shutdown sends GOAWAY and lets the streams in flight finish (Netty's graceful close, up to the
 * shutdown grace). Sits between the frame codec and the stream multiplexer.
 */
final class Http2ClientConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Http2ClientConnection.class);

    private final ProxyContext proxy;
    private final HeaderDeadline headerDeadline;
    private final Http2FrameCodec codec;
    private InetAddress counted;
    private boolean headersSeen;

    Http2ClientConnection(ProxyContext proxy, HeaderDeadline headerDeadline, Http2FrameCodec codec) {
        this.proxy = proxy;
        this.headerDeadline = headerDeadline;
        this.codec = codec;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Added once the connection has turned out to be HTTP/2, long after it became active.
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote && !proxy.forwarded().trusts(remote)) {
            if (proxy.connectionLimit().tryAcquire(remote.getAddress())) {
                counted = remote.getAddress();
            } else {
                proxy.metrics().record(null, 429, System.nanoTime());
                ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!headersSeen && msg instanceof Http2HeadersFrame) {
            headersSeen = true;
            headerDeadline.headReceived();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            if (codec.connection().numActiveStreams() == 0) {
                ctx.close();
            }
            return;
        }
        if (event == HeaderDeadline.EXPIRED) {
            if (!headersSeen) {
                ctx.close();
            }
            return;
        }
        if (event == ClientConnection.SHUTDOWN) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException) {
            // One stream's error: the multiplexer hands it to that stream's channel alone.
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (cause instanceof Http2Exception) {
            // Netty has answered it already: a stream reset (a frame for a stream it reset), or
            // GOAWAY and a close for a connection error. Closing here would end every stream.
            log.debug("HTTP/2 client connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
            return;
        }
        log.debug("HTTP/2 client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private void release() {
        if (counted != null) {
            proxy.connectionLimit().release(counted);
            counted = null;
        }
    }
}
