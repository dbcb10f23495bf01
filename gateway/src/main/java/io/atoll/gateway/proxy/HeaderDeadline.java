package io.atoll.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deadline for a request's head: from a connection's start, or from the first byte of each
 * later request, the client has {@code atoll.gateway.header-timeout} to finish its request line
 * and headers. The idle timeout alone cannot do this: a client sending one byte every few seconds
 * is never idle, and could hold a connection for ever (slowloris). Sits in front of the HTTP
 * decoder, seeing bytes; {@link ClientConnection} says when a head is complete and when the
 * next request may begin. On expiry it fires {@link #EXPIRED} down the pipeline, and the
 * connection answers 408 and closes.
 */
final class HeaderDeadline extends ChannelInboundHandlerAdapter {

    /** The user event sent to the rest of the pipeline when a head did not arrive in time. */
    static final Object EXPIRED = new Object();

    private enum State { AWAITING_FIRST_BYTE, READING_HEAD, IN_REQUEST }

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private State state = State.READING_HEAD;
    private ScheduledFuture<?> timer;

    HeaderDeadline(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // A connection that sends nothing at all is covered too.
        arm();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.AWAITING_FIRST_BYTE && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            state = State.READING_HEAD;
            arm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    /** The request line and headers are in: the body and the answer are not this deadline's business. */
    void headReceived() {
        state = State.IN_REQUEST;
        cancel();
    }

    /** The request has been read whole; the next byte starts the next head. */
    void requestEnded() {
        if (state == State.IN_REQUEST) {
            state = State.AWAITING_FIRST_BYTE;
        }
    }

    private void arm() {
        cancel();
        timer = ctx.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire() {
        timer = null;
        if (state == State.READING_HEAD && ctx.channel().isActive()) {
            ctx.fireUserEventTriggered(EXPIRED);
        }
    }
}
