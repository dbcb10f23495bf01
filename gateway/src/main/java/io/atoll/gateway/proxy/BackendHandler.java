package io.atoll.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The end of a connection to an instance: hands what the instance sends to the exchange the
 * connection currently serves, or, while the connection waits in the pool, closes it when the
 * instance says anything or it idles out.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    private final BackendConnections pool;
    private ChannelHandlerContext ctx;
    private String authority;
    private Exchange exchange;

    /**
     * One timer per connection, not one per request: it is re-armed only when it fires early,
     * as Netty's IdleStateHandler does, so a request costs a clock read instead of a scheduled task.
     */
    private ScheduledFuture<?> timeoutCheck;
    private long checkAt;
    private long responseDeadline;

    BackendHandler(BackendConnections pool) {
        this.pool = pool;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** The current exchange times out unless the response headers come within {@code nanos}. */
    void expectResponseWithin(long nanos) {
        responseDeadline = System.nanoTime() + nanos;
        if (timeoutCheck == null || responseDeadline - checkAt < 0) {
            if (timeoutCheck != null) {
                timeoutCheck.cancel(false);
            }
            checkAt = responseDeadline;
            timeoutCheck = ctx.executor().schedule(this::checkTimeout, nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void checkTimeout() {
        timeoutCheck = null;
        Exchange current = exchange;
        if (current == null || !current.awaitingResponse()) {
            return;
        }
        long left = responseDeadline - System.nanoTime();
        if (left <= 0) {
            current.responseTimedOut();
        } else {
            checkAt = responseDeadline;
            timeoutCheck = ctx.executor().schedule(this::checkTimeout, left, TimeUnit.NANOSECONDS);
        }
    }

    void attach(Exchange exchange, String authority) {
        this.exchange = exchange;
        this.authority = authority;
    }

    /** The exchange is over; the connection goes back to the pool. */
    void detachToPool(io.netty.channel.Channel channel) {
        exchange = null;
        pool.offer(authority, channel);
    }

    /** Waiting in the pool: no exchange, so nothing the instance sends now belongs to a request. */
    boolean idleInPool() {
        return exchange == null && authority != null;
    }

    /** The exchange is over and the connection is not reused. */
    void detach() {
        exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange current = exchange;
        if (current == null) {
            // An instance talking on an idle connection is confused or closing: do not reuse it.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        current.backendRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange current = exchange;
        if (current != null) {
            current.backendReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange current = exchange;
        if (current != null) {
            current.backendWritabilityChanged();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
            timeoutCheck = null;
        }
        Exchange current = exchange;
        exchange = null;
        if (current != null) {
            current.backendClosed();
        } else if (authority != null) {
            pool.forget(authority, ctx.channel());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && exchange == null) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Exchange current = exchange;
        if (current != null) {
            current.backendFailed(cause);
        }
        ctx.close();
    }
}
