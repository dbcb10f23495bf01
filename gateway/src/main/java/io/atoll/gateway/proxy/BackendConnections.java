package io.atoll.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Keep-alive connections to instances, one pool per event loop. A client connection and the
 * backend connections it uses live on the same event loop, so a request never hops threads and
 * the pools need no locks: each is touched by its own loop only.
 *
 * <p>An instance that closes every connection makes every request a connect, so what a connect
 * costs here counts as much as a request's parsing. A connection is made by hand rather than by
 * a {@code Bootstrap}: two handlers added before registration instead of an initializer that
 * adds them and removes itself, the connect issued at once instead of from a queued task, a
 * socket of the address's own family (an IPv6 socket for an IPv4 instance costs a
 * {@code setsockopt} to make it dual-stack), and no connect timer of Netty's:
 * {@link BackendHandler}'s one timer covers the connect and then the response. Each loop keeps
 * its instances' parsed addresses, and a connection gets its pool idle timer only once it is
 * pooled.
 */
final class BackendConnections {

    /** Idle connections kept per instance and event loop; more than that are closed. */
    private static final int MAX_IDLE_PER_INSTANCE = 512;
    /** Parsed addresses kept per loop; the table is cleared past this (instances come and go). */
    private static final int MAX_ADDRESSES = 4096;

    private final Function<SocketProtocolFamily, SocketChannel> channels;
    private final int maxHeaderSize;
    private final long poolIdleMillis;
    private final FastThreadLocal<LoopState> state = new FastThreadLocal<>() {
        @Override
        protected LoopState initialValue() {
            return new LoopState();
        }
    };

    /** One event loop's pools and addresses: touched by that loop's thread only. */
    private static final class LoopState {
        final Map<String, ArrayDeque<Channel>> idle = new HashMap<>();
        final Map<String, InetSocketAddress> addresses = new HashMap<>();
    }

    /**
     * @param channels a new, unregistered socket channel of the event loops' transport, per family
     * @param maxHeaderSize the largest response head accepted from an instance
     * @param poolIdle how long a pooled connection may stay idle before it is closed
     */
    BackendConnections(Function<SocketProtocolFamily, SocketChannel> channels, int maxHeaderSize, Duration poolIdle) {
        this.channels = channels;
        this.maxHeaderSize = maxHeaderSize;
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

    /**
     * A new connection to the instance, its handlers in place; must be called on {@code loop}'s
     * thread (an exchange connects from its client's loop). The connect has no timeout of its
     * own: the caller arms {@link BackendHandler#expectConnectionWithin}. A failed connect leaves
     * the channel to the caller to close.
     *
     * @throws RuntimeException when no socket could be made (e.g. {@code ChannelException})
     */
    ChannelFuture connect(EventLoop loop, String authority) {
        LoopState loopState = state.get();
        InetSocketAddress address = loopState.addresses.get(authority);
        if (address == null) {
            if (loopState.addresses.size() >= MAX_ADDRESSES) {
                loopState.addresses.clear();
            }
            address = addressOf(authority);
            if (!address.isUnresolved()) {
                // A name that did not resolve is looked up again next time, not remembered as unresolvable.
                loopState.addresses.put(authority, address);
            }
        }
        // Creating the socket can fail (no file descriptors left, an address family the host
        // lacks): the exception goes to the caller, which answers the client, and a socket made
        // before the failure is closed rather than leaked.
        SocketChannel channel = channels.apply(
                address.getAddress() instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET);
        try {
            SocketChannelConfig config = channel.config();
            // Netty's socket channels set TCP_NODELAY themselves; setting it again would be one more
            // system call per connection. Keep-alive probes find an instance host that vanished under
            // a long-lived connection (a WebSocket, a pooled connection).
            config.setConnectTimeoutMillis(0);
            config.setKeepAlive(true);
            BackendHandler handler = new BackendHandler(this);
            // The pool idle timer is added when the connection is first pooled (offer).
            channel.pipeline().addLast(new BackendCodec(8192, maxHeaderSize, 65536, handler), handler);
        } catch (RuntimeException e) {
            channel.unsafe().closeForcibly();
            throw e;
        }
        ChannelFuture registered = loop.register(channel);
        if (registered.isDone()) {
            if (!registered.isSuccess()) {
                channel.unsafe().closeForcibly();
                return registered;
            }
            return channel.connect(address);
        }
        ChannelPromise connected = channel.newPromise();
        InetSocketAddress target = address;
        registered.addListener(done -> {
            if (done.isSuccess()) {
                channel.connect(target, connected);
            } else {
                channel.unsafe().closeForcibly();
                connected.setFailure(done.cause());
            }
        });
        return connected;
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
