package io.atoll.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

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
        Duration ejectMax) {

    public AtollGatewayProperties {
        defaultDomain = defaultDomain == null || defaultDomain.isBlank() ? "localhost" : defaultDomain.strip();
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout;
        responseTimeout = responseTimeout == null ? Duration.ofSeconds(30) : responseTimeout;
        retryAfter = retryAfter == null ? Duration.ofSeconds(5) : retryAfter;
        initialSyncTimeout = initialSyncTimeout == null ? Duration.ofSeconds(5) : initialSyncTimeout;
        ejectFor = ejectFor == null ? Duration.ofSeconds(5) : ejectFor;
        snapshotFile = snapshotFile == null ? Path.of("data", "gateway", "routing-snapshot.json") : snapshotFile;
        vanishedGrace = vanishedGrace == null ? Duration.ofSeconds(20) : vanishedGrace;
        zone = zone == null || zone.isBlank() ? null : zone.strip();
        retries = retries == null ? 1 : Math.max(0, retries);
        ejectMax = ejectMax == null ? Duration.ofMinutes(1) : ejectMax;
    }
}
