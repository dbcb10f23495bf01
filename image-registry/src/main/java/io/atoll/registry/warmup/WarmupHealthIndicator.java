package io.atoll.registry.warmup;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * OUT_OF_SERVICE while the start-up warm-up runs, UP once it is over or disabled. In the
 * readiness group (application.yml): no push is sent to a registry still being compiled.
 */
public class WarmupHealthIndicator extends AbstractHealthIndicator {

    private final RegistryWarmup warmup;

    public WarmupHealthIndicator(RegistryWarmup warmup) {
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
                .withDetail("rounds", warmup.rounds())
                .withDetail("failed", warmup.failures())
                .withDetail("bytes", warmup.bytes())
                .withDetail("tookMillis", warmup.took().toMillis());
    }
}
