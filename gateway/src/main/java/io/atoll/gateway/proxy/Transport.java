package io.atoll.gateway.proxy;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The event loops' I/O: Linux's epoll or io_uring through Netty's native transports, or the JDK's NIO. */
enum Transport {
    EPOLL, IO_URING, NIO;

    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    /**
     * @param wanted {@code auto} (io_uring where it loads, then epoll, then NIO), {@code epoll},
     *     {@code io-uring} or {@code nio}; a native transport asked for by name that does not
     *     load falls back to the next one, with a warning
     */
    static Transport choose(String wanted) {
        String name = wanted == null ? "auto" : wanted.strip().toLowerCase(Locale.ROOT);
        switch (name) {
            case "auto" -> {
                // io_uring is refused by many seccomp profiles (Docker's default among them) and
                // by kernel.io_uring_disabled; it is then simply not available.
                if (IoUring.isAvailable()) {
                    return IO_URING;
                }
                return Epoll.isAvailable() ? EPOLL : NIO;
            }
            case "io-uring" -> {
                if (IoUring.isAvailable()) {
                    return IO_URING;
                }
                Transport fallback = Epoll.isAvailable() ? EPOLL : NIO;
                log.warn("atoll.gateway.transport=io-uring is not available here ({}); using {}",
                        IoUring.unavailabilityCause(), fallback.label());
                return fallback;
            }
            case "epoll" -> {
                if (Epoll.isAvailable()) {
                    return EPOLL;
                }
                log.warn("atoll.gateway.transport=epoll is not available here ({}); using nio",
                        Epoll.unavailabilityCause().toString());
                return NIO;
            }
            case "nio" -> {
                return NIO;
            }
            default -> throw new IllegalArgumentException(
                    "atoll.gateway.transport must be auto, epoll, io-uring or nio, not '" + wanted + "'");
        }
    }

    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    IoHandlerFactory ioHandlers() {
        return switch (this) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    Class<? extends ServerChannel> serverChannel() {
        return switch (this) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    /** A new, unregistered client socket for a connection to an instance of the given family. */
    Function<SocketProtocolFamily, SocketChannel> socketChannels() {
        return switch (this) {
            case EPOLL -> EpollSocketChannel::new;
            // Netty's io_uring socket is always dual-stack.
            case IO_URING -> family -> new IoUringSocketChannel();
            case NIO -> family -> new NioSocketChannel(SelectorProvider.provider(), family);
        };
    }
}
