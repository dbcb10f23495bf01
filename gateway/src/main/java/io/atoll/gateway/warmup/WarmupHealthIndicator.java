package io.atoll.gateway.warmup;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * OUT_OF_SERVICE while the start-up warm-up runs, UP once it is over or when it is disabled. In
 * the readiness group: a load balancer sends no traffic to a gateway still being compiled.
 */
public class WarmupHealthIndicator extends AbstractHealthIndicator {

    private final GatewayWarmup warmup;

    public WarmupHealthIndicator(GatewayWarmup warmup) {
        this.warmup = warmup;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (!warmup.finished()) {
            builder.outOfService().withDetail("state", warmup.state().name().toLowerCase());
            return;
        }
        builder.up()
                .withDetail("endedBy", warmup.endedBecause())
                .withDetail("requests", warmup.requests())
                .withDetail("failed", warmup.failures())
                .withDetail("tookMillis", warmup.took().toMillis());
    }
}
