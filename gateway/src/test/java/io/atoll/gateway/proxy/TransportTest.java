package io.atoll.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;

/** Which I/O atoll.gateway.transport gives on this machine, and the fallbacks. */
class TransportTest {

    @Test
    void autoPrefersIoUringThenEpollThenNio() {
        Transport expected = IoUring.isAvailable() ? Transport.IO_URING
                : Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
        assertThat(Transport.choose("auto")).isEqualTo(expected);
        assertThat(Transport.choose(null)).isEqualTo(expected);
    }

    @Test
    void aNamedTransportIsUsedWhereItLoadsAndFallsBackOtherwise() {
        assertThat(Transport.choose("nio")).isEqualTo(Transport.NIO);
        assertThat(Transport.choose("epoll")).isEqualTo(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO);
        assertThat(Transport.choose("io-uring")).isIn(Transport.IO_URING, Transport.EPOLL, Transport.NIO);
        if (IoUring.isAvailable()) {
            assertThat(Transport.choose("io-uring")).isEqualTo(Transport.IO_URING);
        }
    }

    @Test
    void anUnknownTransportIsRefused() {
        assertThatThrownBy(() -> Transport.choose("kqueue")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto, epoll, io-uring or nio");
    }
}
