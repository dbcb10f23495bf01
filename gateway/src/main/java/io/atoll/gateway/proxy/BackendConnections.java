package io.atoll.gateway.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to instances, one pool per event loop. A client connection and the
 * backend connections it uses live on the same event loop, so a request never hops threads and
 * the pools need no locks: each is touched by its own loop only.
 *
 * <p>An instance that closes every connection makes every request a connect, so what a connect
 * costs here counts as much as a request's parsing: each loop keeps its own ready bootstraps and
 * parsed addresses, and a connection gets its pool idle timer only once it is pooled.
 */
final class BackendConnections {

    /** Idle connections kept per instance and event loop; more than that are closed. */
    private static final int MAX_IDLE_PER_INSTANCE = 512;
    /** Parsed addresses kept per loop; the table is cleared past this (instances come and go). */
    private static final int MAX_ADDRESSES = 4096;

    private final Bootstrap template;
    private final long poolIdleMillis;
    private final FastThreadLocal<LoopState> state = new FastThreadLocal<>() {
        @Override
        protected LoopState initialValue() {
            return new LoopState();
        }
    };

    /** One event loop's pools, bootstraps and addresses: touched by that loop's thread only. */
    private static final class LoopState {
        final Map<String, ArrayDeque<Channel>> idle = new HashMap<>();
        final Map<String, InetSocketAddress> addresses = new HashMap<>();
        /** Per connect timeout in ms: rules may set their own. */
        final Map<Integer, Bootstrap> bootstraps = new HashMap<>(4);
    }

    /**
     * @param template channel type and handler set; the event loop is given per connection
     * @param poolIdle how long a pooled connection may stay idle before it is closed
     */
    BackendConnections(Bootstrap template, Duration poolIdle) {
        this.template = template;
        this.poolIdleMillis = poolIdle.toMillis();
    }

    /** An idle, open connection to the instance made earlier on this loop, or null. */
    Channel poll(String authority) {
        ArrayDeque<Channel> channels = state.get().idle.get(authority);
        if (channels == null) {
            return null;
        }
        Channel channel;
        while ((channel = channels.pollLast()) != null) {
            if (channel.isActive()) {
                return channel;
            }
        }
        return null;
    }

    /** Must be called on {@code loop}'s thread (an exchange connects from its client's loop). */
    ChannelFuture connect(EventLoop loop, String authority, Duration timeout) {
        LoopState loopState = state.get();
        int millis = (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE);
        Bootstrap bootstrap = loopState.bootstraps.get(millis);
        if (bootstrap == null || bootstrap.config().group() != loop) {
            // Cloned once per loop and timeout instead of per connect: a clone copies the option
            // and attribute maps, and a fresh bootstrap looks its initializer extensions up again.
            bootstrap = template.clone(loop).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis);
            loopState.bootstraps.put(millis, bootstrap);
        }
        InetSocketAddress address = loopState.addresses.get(authority);
        if (address == null) {
            if (loopState.addresses.size() >= MAX_ADDRESSES) {
                loopState.addresses.clear();
            }
            address = addressOf(authority);
            loopState.addresses.put(authority, address);
        }
        return bootstrap.connect(address);
    }

    /** Back into the pool after a complete exchange; must be called on the channel's loop. */
    void offer(String authority, Channel channel) {
        ArrayDeque<Channel> channels = state.get().idle.computeIfAbsent(authority, a -> new ArrayDeque<>());
        if (channels.size() >= MAX_IDLE_PER_INSTANCE || !channel.isActive()) {
            channel.close();
            return;
        }
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(IdleStateHandler.class) == null) {
            // Armed at the first pooling, not at the connect: a connection that is never pooled
            // (an instance that closes every connection) costs no timer. Reader idleness only: an
            // all-idle handler would put a listener on every write.
            pipeline.addBefore(pipeline.context(BackendHandler.class).name(), null,
                    new IdleStateHandler(poolIdleMillis, 0, 0, TimeUnit.MILLISECONDS));
        }
        channels.addLast(channel);
    }

    /** A pooled connection that closed or idled out; must be called on the channel's loop. */
    void forget(String authority, Channel channel) {
        Map<String, ArrayDeque<Channel>> idle = state.get().idle;
        ArrayDeque<Channel> channels = idle.get(authority);
        if (channels != null) {
            channels.remove(channel);
            if (channels.isEmpty()) {
                idle.remove(authority);
            }
        }
    }

    /** {@code host:port} or {@code [v6]:port}, as published by the agents (IP addresses, so no lookup). */
    static InetSocketAddress addressOf(String authority) {
        int colon = authority.lastIndexOf(':');
        String host = authority.substring(0, colon);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(authority.substring(colon + 1)));
    }
}
