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
     * One timer per connection, for its connect and then for each response: it is re-armed only
     * when it fires early, as Netty's IdleStateHandler does, so a request costs a clock read
     * instead of a scheduled task, and a connection to an instance that closes every connection
     * schedules and cancels one task instead of two (Netty's connect timeout is off).
     */
    private ScheduledFuture<?> timeoutCheck;
    private long checkAt;
    private long deadline;
    /** Until the connect completes: the exchange waiting for it. */
    private Exchange connecting;

    BackendHandler(BackendConnections pool) {
        this.pool = pool;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** The channel is gone (its pipeline is taken down), whether or not it ever connected. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        connecting = null;
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
            timeoutCheck = null;
        }
    }

    /** The connect in progress fails {@code exchange}'s attempt unless it completes within {@code nanos}. */
    void expectConnectionWithin(Exchange exchange, long nanos) {
        connecting = exchange;
        arm(nanos);
    }

    /** The current exchange times out unless the response headers come within {@code nanos}. */
    void expectResponseWithin(long nanos) {
        connecting = null;
        arm(nanos);
    }

    private void arm(long nanos) {
        deadline = System.nanoTime() + nanos;
        if (timeoutCheck == null || deadline - checkAt < 0) {
            if (timeoutCheck != null) {
                timeoutCheck.cancel(false);
            }
            checkAt = deadline;
            timeoutCheck = ctx.executor().schedule(this::checkTimeout, nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void checkTimeout() {
        timeoutCheck = null;
        Exchange waiting = connecting;
        if (waiting == null) {
            Exchange current = exchange;
            if (current == null || !current.awaitingResponse()) {
                return;
            }
            waiting = current;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            checkAt = deadline;
            timeoutCheck = ctx.executor().schedule(this::checkTimeout, left, TimeUnit.NANOSECONDS);
        } else if (connecting != null) {
            // The exchange learns of the timeout before the close fails its connect future, so it
            // reports a timeout rather than a refused connection.
            connecting = null;
            waiting.connectTimedOut(ctx.channel());
            ctx.close();
        } else {
            waiting.responseTimedOut();
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
