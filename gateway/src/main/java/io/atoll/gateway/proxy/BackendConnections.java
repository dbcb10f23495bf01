package io.atoll.gateway.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Keep-alive connections to instances, one pool per event loop. A client connection and the
 * backend connections it uses live on the same event loop, so a request never hops threads and
 * the pools need no locks: each is touched by its own loop only.
 */
final class BackendConnections {

    /** Idle connections kept per instance and event loop; more than that are closed. */
    private static final int MAX_IDLE_PER_INSTANCE = 512;

    private final Bootstrap template;
    private final FastThreadLocal<Map<String, ArrayDeque<Channel>>> idle = new FastThreadLocal<>() {
        @Override
        protected Map<String, ArrayDeque<Channel>> initialValue() {
            return new HashMap<>();
        }
    };

    /** @param template channel type and handler set; the event loop is given per connection */
    BackendConnections(Bootstrap template) {
        this.template = template;
    }

    /** An idle, open connection to the instance made earlier on this loop, or null. */
    Channel poll(String authority) {
        ArrayDeque<Channel> channels = idle.get().get(authority);
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

    ChannelFuture connect(EventLoop loop, String authority, Duration timeout) {
        return template.clone(loop)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE))
                .connect(addressOf(authority));
    }

    /** Back into the pool after a complete exchange; must be called on the channel's loop. */
    void offer(String authority, Channel channel) {
        ArrayDeque<Channel> channels = idle.get().computeIfAbsent(authority, a -> new ArrayDeque<>());
        if (channels.size() >= MAX_IDLE_PER_INSTANCE || !channel.isActive()) {
            channel.close();
            return;
        }
        channels.addLast(channel);
    }

    /** A pooled connection that closed or idled out; must be called on the channel's loop. */
    void forget(String authority, Channel channel) {
        ArrayDeque<Channel> channels = idle.get().get(authority);
        if (channels != null) {
            channels.remove(channel);
            if (channels.isEmpty()) {
                idle.get().remove(authority);
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
