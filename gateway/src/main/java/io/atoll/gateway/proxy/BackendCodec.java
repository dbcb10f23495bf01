package io.atoll.gateway.proxy;

import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * HTTP/1.1 towards an instance: Netty's response decoder and request encoder, like
 * {@code HttpClientCodec}, with two things it cannot do. The gateway sends one request at a time
 * on a connection, so whether the answer may have a body is told per request
 * ({@link #expectAnswerTo}), not kept in a queue that an interim answer could put out of step.
 * And whether the instance sent bytes beyond the end of its answer can be asked
 * ({@link #hasUnreadBytes}): such a connection is out of step with the instance (a body after a
 * HEAD answer, say) and must not serve another request.
 */
final class BackendCodec extends CombinedChannelDuplexHandler<BackendCodec.Decoder, HttpRequestEncoder> {

    BackendCodec(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
        init(new Decoder(maxInitialLineLength, maxHeaderSize, maxChunkSize), new HttpRequestEncoder());
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

        private boolean head;

        Decoder(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
            super(maxInitialLineLength, maxHeaderSize, maxChunkSize);
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
