package io.atoll.platform.deploys;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param progressDeadline how long a deploy may take before it fails and rolls back, unless the
 *     deploy sets {@code progressDeadlineSeconds}
 * @param healthyTimeout the former name of {@code progressDeadline}, still read when that is unset
 * @param drainTimeout how long to wait for agents to stop draining instances before their
 *     assignments are deleted anyway
 * @param defaultMemoryMb memory limit of an instance when the deploy does not say
 * @param defaultCpuShares CPU shares of an instance
 * @param maxSurge default instances above the count while rolling
 * @param maxUnavailable default instances below the count while rolling (0 never reduces capacity)
 */
@ConfigurationProperties("atoll.platform.deploy")
public record DeployProperties(Duration progressDeadline, Duration healthyTimeout, Duration drainTimeout,
        Long defaultMemoryMb, Long defaultCpuShares, Integer maxSurge, Integer maxUnavailable) {

    public DeployProperties {
        progressDeadline = progressDeadline != null ? progressDeadline
                : healthyTimeout != null ? healthyTimeout : Duration.ofMinutes(2);
        drainTimeout = drainTimeout == null ? Duration.ofSeconds(60) : drainTimeout;
        defaultMemoryMb = defaultMemoryMb == null ? 256L : defaultMemoryMb;
        defaultCpuShares = defaultCpuShares == null ? 256L : defaultCpuShares;
        maxSurge = maxSurge == null ? 1 : maxSurge;
        maxUnavailable = maxUnavailable == null ? 0 : maxUnavailable;
    }
}
