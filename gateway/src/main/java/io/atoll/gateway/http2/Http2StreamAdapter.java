package io.atoll.gateway.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.List;

/**
 * Between a stream's HTTP/2-to-HTTP/1.1 codec and the proxy, what makes the converted messages
 * look like those of an HTTP/1.1 connection:
 * <ul>
 *   <li>Netty's {@code x-http2-*} bookkeeping headers never reach an instance;</li>
 *   <li>the host is {@code :authority} (RFC 9113 §8.3.1), which Netty turns into {@code Host};
 *       a request that also sends a {@code host} field gets through only if both are the same
 *       (one {@code Host} is kept); Netty refuses one that conflicts, and the stream is reset
 *       with PROTOCOL_ERROR;</li>
 *   <li>a request whose stream ended with its headers is passed on as a head and an end, as
 *       HTTP/1.1's decoder reads it (the proxy writes the head and the body separately);</li>
 *   <li>an interim (1xx) answer relayed from an instance, which the proxy writes as a head and an
 *       empty end, is sent as one HEADERS frame without ending the stream;</li>
 *   <li>the empty buffer the proxy writes to flush before closing is dropped: a stream carries
 *       frames only.</li>
 * </ul>
 * Connection-specific fields ({@code connection}, {@code transfer-encoding}, {@code upgrade},
 * {@code keep-alive}, {@code proxy-connection}, a {@code te} other than {@code trailers}) never
 * get here: Netty's header validation resets such a stream (RFC 9113 §8.2.2).
 */
final class Http2StreamAdapter extends ChannelDuplexHandler {

    private static final List<CharSequence> NETTY_HEADERS = List.of(
            HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
            HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
            HttpConversionUtil.ExtensionHeaderNames.PATH.text(),
            HttpConversionUtil.ExtensionHeaderNames.STREAM_PROMISE_ID.text(),
            HttpConversionUtil.ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text(),
            HttpConversionUtil.ExtensionHeaderNames.STREAM_WEIGHT.text());

    /** An interim answer went out whole: the empty end the proxy writes after it is not the stream's end. */
    private boolean interimSent;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            HttpHeaders headers = request.headers();
            for (CharSequence name : NETTY_HEADERS) {
                headers.remove(name);
            }
            // Netty refuses a host field that conflicts with :authority; one that repeats it is
            // kept once, as an instance would otherwise see two Host headers (a 400 here).
            List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
            if (hosts.size() > 1) {
                headers.set(HttpHeaderNames.HOST, hosts.get(0));
            }
            if (request instanceof FullHttpRequest full) {
                // A stream that ended with its headers: as HTTP/1.1's decoder would have read it, a
                // head and an end, which the proxy relays one after the other.
                HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(),
                        full.headers());
                head.setDecoderResult(full.decoderResult());
                ctx.fireChannelRead(head);
                ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * A stream error Netty found (a body longer or shorter than its content-length, a malformed
     * header): the multiplexer resets the stream with that error right after this, which closing
     * it here first would turn into a CANCEL. The proxy learns of it from the channel's close.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception) {
            return;
        }
        if (cause instanceof DecoderException && cause.getCause() instanceof Http2Exception) {
            // The frame-to-HTTP/1.1 codec found the request malformed (a host field that
            // conflicts with :authority): a stream error, PROTOCOL_ERROR (RFC 9113 §8.1.1).
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf bytes) {
            bytes.release();
            promise.setSuccess();
            return;
        }
        if (msg instanceof HttpResponse response && !(msg instanceof FullHttpResponse)
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            interimSent = true;
            ctx.write(new DefaultFullHttpResponse(response.protocolVersion(), response.status(), Unpooled.EMPTY_BUFFER,
                    response.headers(), DefaultHttpHeadersFactory.trailersFactory().newHeaders()), promise);
            return;
        }
        if (interimSent && msg instanceof LastHttpContent last && !last.content().isReadable()
                && last.trailingHeaders().isEmpty()) {
            interimSent = false;
            last.release();
            promise.setSuccess();
            return;
        }
        ctx.write(msg, promise);
    }
}
