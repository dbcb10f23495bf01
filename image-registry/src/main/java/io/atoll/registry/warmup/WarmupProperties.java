package io.atoll.registry.warmup;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * {@code atoll.registry.warmup.*}: the push and pull the registry makes to itself before it
 * reports ready, so that the JIT has compiled the upload and download paths before the first
 * client's push (docs/image-registry.md, "Start-up warm-up").
 *
 * @param enabled false: readiness does not wait for any warm-up
 * @param maxDuration the longest the warm-up may hold readiness back
 * @param minDuration the warm-up runs at least this long, however quiet the JIT looks
 * @param blobSize bytes of the synthetic layer each client pushes and pulls per round
 * @param clients clients pushing and pulling at the same time
 */
@ConfigurationProperties("atoll.registry.warmup")
public record WarmupProperties(Boolean enabled, Duration maxDuration, Duration minDuration, DataSize blobSize,
        Integer clients) {

    public WarmupProperties {
        enabled = enabled == null || enabled;
        maxDuration = maxDuration == null ? Duration.ofSeconds(15) : maxDuration;
        minDuration = minDuration == null ? Duration.ofSeconds(3) : minDuration;
        if (maxDuration.isNegative() || minDuration.isNegative()) {
            throw new IllegalArgumentException("atoll.registry.warmup durations must not be negative");
        }
        blobSize = blobSize == null ? DataSize.ofMegabytes(4) : blobSize;
        if (blobSize.toBytes() < 1024 || blobSize.toBytes() > 256L * 1024 * 1024) {
            throw new IllegalArgumentException("atoll.registry.warmup.blob-size must be between 1KB and 256MB, not " + blobSize);
        }
        clients = clients == null ? 2 : Math.max(1, clients);
    }
}
