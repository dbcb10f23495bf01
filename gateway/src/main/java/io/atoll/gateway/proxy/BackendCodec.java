package io.atoll.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * HTTP/1.1 towards an instance: Netty's response decoder and request encoder, like
 * {@code HttpClientCodec}, with two things it cannot do. The gateway sends one request at a time
 * on a connection, so whether the answer may have a body is told per request
 * ({@link #expectAnswerTo}), not kept in a queue that an interim answer could put out of step.
 * And whether the instance sent bytes beyond the end of its answer can be asked
 * ({@link #hasUnreadBytes}): such a connection is out of step with the instance (a body after a
 * HEAD answer, say) and must not serve another request.
 *
 * <p>It also guards a pooled connection: bytes that arrive while the connection waits in the
 * pool answer no request, so the connection is out of step with the instance and is closed
 * before they can be read as the next request's answer (a partial line would otherwise wait in
 * the decoder and spoil the answer of whoever used the connection next). The check is here, in
 * front of the decoder, rather than in a handler of its own: one pipeline node fewer to build for
 * each connection to an instance that closes every connection.
 */
final class BackendCodec extends CombinedChannelDuplexHandler<BackendCodec.Decoder, HttpRequestEncoder> {

    BackendCodec(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize, BackendHandler handler) {
        init(new Decoder(maxInitialLineLength, maxHeaderSize, maxChunkSize, handler), new HttpRequestEncoder());
    }

    /** The request about to be sent is a HEAD: its answer has no body whatever its headers say. */
    void expectAnswerTo(boolean head) {
        inboundHandler().head = head;
    }

    /** Bytes the instance sent that no answer has consumed yet. */
    boolean hasUnreadBytes() {
        return inboundHandler().unread() > 0;
    }

    static final class Decoder extends HttpResponseDecoder {

        private final BackendHandler handler;
        private boolean head;

        Decoder(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize, BackendHandler handler) {
            super(maxInitialLineLength, maxHeaderSize, maxChunkSize);
            this.handler = handler;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (handler.idleInPool() && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            super.channelRead(ctx, msg);
        }

        int unread() {
            return actualReadableBytes();
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage message) {
            int code = ((HttpResponse) message).status().code();
            if (head && code >= 200) {
                return true;
            }
            return super.isContentAlwaysEmpty(message);
        }
    }
}
