package io.atoll.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.support.Netty4HeadersAdapter;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * SCG's answer written straight onto the client connection, framed the way the proxy frames
 * its own: the length when one is known, else chunks (or, for an HTTP/1.0 client, the end of the
 * connection). Writes may come from reactor-netty's threads; Netty queues them on the client's
 * loop in the order they are made. Each chunk is requested once the previous one is written, so
 * a slow client slows the instance instead of filling memory.
 */
final class NettyServerResponse extends AbstractServerHttpResponse {

    private final DefaultHttpResponse head;
    private final ChannelHandlerContext ctx;
    private final String requestId;
    private final boolean headRequest;
    private final boolean http10;
    private final BooleanSupplier keepAlive;
    private volatile boolean headWritten;
    private boolean emptyBody;
    private boolean closeAfter;

    private NettyServerResponse(DefaultHttpResponse head, ChannelHandlerContext ctx, String requestId,
            boolean headRequest, boolean http10, BooleanSupplier keepAlive) {
        super(new NettyDataBufferFactory(ctx.alloc()), new HttpHeaders(new Netty4HeadersAdapter(head.headers())));
        this.head = head;
        this.ctx = ctx;
        this.requestId = requestId;
        this.headRequest = headRequest;
        this.http10 = http10;
        this.keepAlive = keepAlive;
    }

    /**
     * @param keepAlive asked when the head is written: whether the connection can serve another
     *     request after this answer (not when the filters answer before the request body was read)
     */
    static NettyServerResponse create(ChannelHandlerContext ctx, String requestId, boolean headRequest, boolean http10,
            BooleanSupplier keepAlive) {
        return new NettyServerResponse(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), ctx,
                requestId, headRequest, http10, keepAlive);
    }

    /** Whether anything of the answer has gone to the client (then a failure can only cut it). */
    boolean headWritten() {
        return headWritten;
    }

    /** The client connection must close after this answer (its framing, or the client asked). */
    boolean closeAfter() {
        return closeAfter;
    }

    int status() {
        return head.status().code();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getNativeResponse() {
        return (T) head;
    }

    @Override
    public Mono<Void> setComplete() {
        if (!isCommitted()) {
            emptyBody = true;
        }
        return super.setComplete();
    }

    /** After SCG's chain: commits an answer nobody wrote (a filter that only set a status) and ends it. */
    Mono<Void> finish() {
        return setComplete().then(Mono.fromRunnable(() -> {
            if (!headWritten) {
                headWritten = true;
                ctx.write(head, ctx.voidPromise());
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
            }
        }));
    }

    @Override
    protected void applyStatusCode() {
        HttpStatusCode status = getStatusCode();
        if (status != null) {
            head.setStatus(HttpResponseStatus.valueOf(status.value()));
        }
    }

    @Override
    protected void applyHeaders() {
        io.netty.handler.codec.http.HttpHeaders headers = head.headers();
        Hop.strip(headers);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        int code = head.status().code();
        boolean bodyAllowed = !headRequest && code >= 200 && code != 204 && code != 304;
        if (bodyAllowed && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (emptyBody) {
                headers.setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            } else if (http10) {
                closeAfter = true;
            } else {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        headers.set(RequestIds.HEADER, requestId);
        closeAfter |= !keepAlive.getAsBoolean();
        if (closeAfter) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    @Override
    protected void applyCookies() {
        for (List<ResponseCookie> cookies : getCookies().values()) {
            for (ResponseCookie cookie : cookies) {
                head.headers().add(HttpHeaderNames.SET_COOKIE, cookie.toString());
            }
        }
    }

    @Override
    protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
        return Mono.create(sink -> Flux.from(body).subscribe(new BodyWriter(sink)));
    }

    @Override
    protected Mono<Void> writeAndFlushWithInternal(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        // Every chunk is flushed as it is written anyway.
        return writeWithInternal(Flux.from(body).concatMap(Flux::from));
    }

    private void writeHead() {
        if (!headWritten) {
            headWritten = true;
            ctx.write(head, ctx.voidPromise());
        }
    }

    private final class BodyWriter extends BaseSubscriber<DataBuffer> {

        private final MonoSink<Void> sink;

        BodyWriter(MonoSink<Void> sink) {
            this.sink = sink;
            sink.onCancel(this);
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            writeHead();
            subscription.request(1);
        }

        @Override
        protected void hookOnNext(DataBuffer buffer) {
            if (headRequest || buffer.readableByteCount() == 0) {
                DataBufferUtils.release(buffer);
                request(1);
                return;
            }
            ByteBuf bytes = NettyDataBufferFactory.toByteBuf(buffer);
            ctx.writeAndFlush(new DefaultHttpContent(bytes)).addListener(written -> {
                if (written.isSuccess()) {
                    request(1);
                } else {
                    cancel();
                    sink.error(written.cause());
                }
            });
        }

        @Override
        protected void hookOnComplete() {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(written -> {
                if (written.isSuccess()) {
                    sink.success();
                } else {
                    sink.error(written.cause());
                }
            });
        }

        @Override
        protected void hookOnError(Throwable error) {
            sink.error(error);
        }
    }
}
