package io.atoll.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * How the gateway routes traffic.
 *
 * @param defaultDomain every app answers at {@code {app}.{defaultDomain}} besides its own hosts
 * @param connectTimeout how long to wait for a TCP connection to an instance, unless the rule says otherwise
 * @param responseTimeout how long to wait for an instance's response headers, unless the rule says otherwise
 * @param retryAfter the {@code Retry-After} sent with a 503 when an app has no healthy instance
 * @param initialSyncTimeout how long start-up waits for the first complete read of ZooKeeper
 *     before serving whatever it has
 * @param ejectFor how long an instance that failed to connect gets no new requests the first
 *     time; each further failure in a row doubles it, up to {@code ejectMax}; a request that
 *     connects ends the row
 * @param snapshotFile where the last complete read of ZooKeeper is kept for a cold start without it
 * @param vanishedGrace how long an instance whose ZooKeeper node disappeared while HEALTHY keeps
 *     getting traffic: a restarting agent's instances vanish until it has re-adopted them, though
 *     their containers never stopped. Instances that are drained first or reported unhealthy
 *     are never kept; a really dead one is ejected on its first refused connection.
 * @param zone the zone this gateway runs in: among an app's HEALTHY instances those of this zone
 *     get the traffic while any of them can take it; blank for no preference
 * @param ejectMax the longest ejection
 * @param retries how many other instances an idempotent request is tried on after failing to
 *     connect, unless the rule sets {@code retries}
 * @param port the traffic port (Boot's {@code server.port} is the management port)
 * @param address the address the traffic port listens on; all of them by default
 * @param eventLoops threads serving traffic; 0 for one per CPU
 * @param clientIdleTimeout how long a client's keep-alive connection may sit idle between requests
 * @param poolIdleTimeout how long an idle connection to an instance is kept for reuse; keep it
 *     below the instances' own keep-alive timeout
 * @param maxInitialLineLength longest request line accepted (414 beyond)
 * @param maxHeaderSize most bytes of request headers accepted (431 beyond)
 * @param shutdownGrace how long stopping waits for requests in flight before cutting them
 * @param trustedProxies addresses or CIDR blocks of load balancers in front of the gateway: only
 *     their {@code X-Forwarded-*}, {@code Forwarded} and {@code X-Real-IP} headers reach instances
 *     (with the gateway's observation appended); anyone else's are replaced; empty by default
 * @param headerTimeout how long a client may take to send a request's line and headers, from the
 *     connection's start or the request's first byte (408 and close beyond)
 * @param maxConnectionsPerAddress connections one client address may hold open at once (429 and
 *     close beyond); trusted proxies are not limited; 0 for no limit
 * @param maxBodySize the largest request body a route accepts unless its rule sets
 *     {@code maxBodyBytes} (413 beyond)
 * @param transport the event loops' I/O: {@code auto} (io_uring where Netty's native library
 *     loads and the kernel allows it, then epoll, then the JDK's NIO), {@code io-uring} (Linux
 *     x86_64; falls back to epoll with a warning where it does not load), {@code epoll} or
 *     {@code nio}
 */
@ConfigurationProperties("atoll.gateway")
public record AtollGatewayProperties(
        String defaultDomain,
        Duration connectTimeout,
        Duration responseTimeout,
        Duration retryAfter,
        Duration initialSyncTimeout,
        Duration ejectFor,
        Path snapshotFile,
        Duration vanishedGrace,
        String zone,
        Integer retries,
        Duration ejectMax,
        Integer port,
        String address,
        Integer eventLoops,
        Duration clientIdleTimeout,
        Duration poolIdleTimeout,
        Integer maxInitialLineLength,
        Integer maxHeaderSize,
        Duration shutdownGrace,
        List<String> trustedProxies,
        Duration headerTimeout,
        Integer maxConnectionsPerAddress,
        DataSize maxBodySize,
        String transport) {

    public AtollGatewayProperties {
        defaultDomain = defaultDomain == null || defaultDomain.isBlank() ? "localhost" : defaultDomain.strip();
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout;
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            // Not "no timeout": the one timer covering connect and answer would fire at once.
            throw new IllegalArgumentException("atoll.gateway.connect-timeout must be positive, not " + connectTimeout);
        }
        responseTimeout = responseTimeout == null ? Duration.ofSeconds(30) : responseTimeout;
        retryAfter = retryAfter == null ? Duration.ofSeconds(5) : retryAfter;
        initialSyncTimeout = initialSyncTimeout == null ? Duration.ofSeconds(5) : initialSyncTimeout;
        ejectFor = ejectFor == null ? Duration.ofSeconds(5) : ejectFor;
        snapshotFile = snapshotFile == null ? Path.of("data", "gateway", "routing-snapshot.json") : snapshotFile;
        vanishedGrace = vanishedGrace == null ? Duration.ofSeconds(20) : vanishedGrace;
        zone = zone == null || zone.isBlank() ? null : zone.strip();
        retries = retries == null ? 1 : Math.max(0, retries);
        ejectMax = ejectMax == null ? Duration.ofMinutes(1) : ejectMax;
        port = port == null ? 8000 : port;
        address = address == null || address.isBlank() ? "0.0.0.0" : address.strip();
        eventLoops = eventLoops == null ? 0 : Math.max(0, eventLoops);
        clientIdleTimeout = clientIdleTimeout == null ? Duration.ofSeconds(60) : clientIdleTimeout;
        poolIdleTimeout = poolIdleTimeout == null ? Duration.ofSeconds(4) : poolIdleTimeout;
        maxInitialLineLength = maxInitialLineLength == null ? 8192 : maxInitialLineLength;
        maxHeaderSize = maxHeaderSize == null ? 16384 : maxHeaderSize;
        shutdownGrace = shutdownGrace == null ? Duration.ofSeconds(10) : shutdownGrace;
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        headerTimeout = headerTimeout == null ? Duration.ofSeconds(20) : headerTimeout;
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("atoll.gateway.header-timeout must be positive, not " + headerTimeout);
        }
        maxConnectionsPerAddress = maxConnectionsPerAddress == null ? 512 : Math.max(0, maxConnectionsPerAddress);
        maxBodySize = maxBodySize == null ? DataSize.ofMegabytes(256) : maxBodySize;
        if (maxBodySize.isNegative()) {
            throw new IllegalArgumentException("atoll.gateway.max-body-size must not be negative, not " + maxBodySize);
        }
        transport = transport == null || transport.isBlank() ? "auto" : transport.strip().toLowerCase(Locale.ROOT);
        if (!List.of("auto", "epoll", "io-uring", "nio").contains(transport)) {
            throw new IllegalArgumentException(
                    "atoll.gateway.transport must be auto, epoll, io-uring or nio, not '" + transport + "'");
        }
    }
}
