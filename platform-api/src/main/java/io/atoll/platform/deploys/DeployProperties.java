package io.atoll.platform.deploys;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param healthyTimeout how long new instances have to become HEALTHY before the deploy fails
 *     and the old release keeps serving
 * @param drainTimeout how long to wait for agents to stop draining instances before their
 *     assignments are deleted anyway
 * @param defaultMemoryMb memory limit of an instance when the deploy does not say
 * @param defaultCpuShares CPU shares of an instance
 */
@ConfigurationProperties("atoll.platform.deploy")
public record DeployProperties(Duration healthyTimeout, Duration drainTimeout, Long defaultMemoryMb,
        Long defaultCpuShares) {

    public DeployProperties {
        healthyTimeout = healthyTimeout == null ? Duration.ofMinutes(2) : healthyTimeout;
        drainTimeout = drainTimeout == null ? Duration.ofSeconds(60) : drainTimeout;
        defaultMemoryMb = defaultMemoryMb == null ? 256L : defaultMemoryMb;
        defaultCpuShares = defaultCpuShares == null ? 256L : defaultCpuShares;
    }
}
