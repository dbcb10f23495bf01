package io.atoll.warmup;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * A service's {@code warmup} health, listed in its readiness group: OUT_OF_SERVICE while the
 * start-up warm-up runs, so a load balancer sends nothing to a service still being compiled; UP
 * with the warm-up's details once it is over, disabled, or failed (a failed warm-up leaves a
 * slower service, not a broken one). A warm-up cut short by the context closing stays
 * OUT_OF_SERVICE: the service never finished warming and is going away.
 */
public class WarmupHealthIndicator extends AbstractHealthIndicator {

    private final StartupWarmup warmup;

    public WarmupHealthIndicator(StartupWarmup warmup) {
        this.warmup = warmup;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (!warmup.finished()) {
            builder.outOfService().withDetail("state", warmup.state().name().toLowerCase());
            return;
        }
        if (StartupWarmup.STOPPED.equals(warmup.endedBy())) {
            builder.outOfService();
        } else {
            builder.up();
        }
        builder.withDetails(warmup.details());
    }
}
