package io.atoll.gateway.http2;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * HTTP/2 from clients: ALPN {@code h2} on the TLS port, prior-knowledge h2c on the plain port.
 * Instances are always spoken to in HTTP/1.1.
 *
 * @param enabled whether HTTP/2 is offered at all; off, the TLS port advertises only
 *     {@code http/1.1} and the plain port reads every connection as HTTP/1.1
 * @param maxConcurrentStreams streams one client connection may have open at once
 *     (SETTINGS_MAX_CONCURRENT_STREAMS); a stream beyond it is refused with REFUSED_STREAM
 * @param initialWindowSize each stream's receive window (SETTINGS_INITIAL_WINDOW_SIZE): the most
 *     request body the gateway holds for one stream whose instance does not read
 * @param connectionWindowSize the connection's receive window: the most request body the
 *     gateway holds for all of one connection's streams together
 */
@ConfigurationProperties("atoll.gateway.http2")
public record Http2Properties(Boolean enabled, Integer maxConcurrentStreams, DataSize initialWindowSize,
        DataSize connectionWindowSize) {

    public Http2Properties {
        enabled = enabled == null || enabled;
        maxConcurrentStreams = maxConcurrentStreams == null ? 128 : maxConcurrentStreams;
        if (maxConcurrentStreams < 1) {
            throw new IllegalArgumentException(
                    "atoll.gateway.http2.max-concurrent-streams must be at least 1, not " + maxConcurrentStreams);
        }
        initialWindowSize = initialWindowSize == null ? DataSize.ofKilobytes(256) : initialWindowSize;
        if (initialWindowSize.toBytes() < 65535 || initialWindowSize.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("atoll.gateway.http2.initial-window-size must be between 65535 bytes"
                    + " and 2 GiB, not " + initialWindowSize);
        }
        connectionWindowSize = connectionWindowSize == null ? DataSize.ofMegabytes(1) : connectionWindowSize;
        if (connectionWindowSize.toBytes() < 65535 || connectionWindowSize.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("atoll.gateway.http2.connection-window-size must be between 65535"
                    + " bytes and 2 GiB, not " + connectionWindowSize);
        }
    }

    /** Every default: for callers that build a server without Spring. */
    public static Http2Properties defaults() {
        return new Http2Properties(null, null, null, null);
    }
}
