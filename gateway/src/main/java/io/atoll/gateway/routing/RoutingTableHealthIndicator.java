package io.atoll.gateway.routing;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Always UP once started: the gateway serves its last table even while ZooKeeper is away (the
 * ZooKeeper indicator reports that). The details say how fresh and how big the table is.
 */
public class RoutingTableHealthIndicator extends AbstractHealthIndicator {

    private final RoutingTableWatcher watcher;

    public RoutingTableHealthIndicator(RoutingTableWatcher watcher) {
        this.watcher = watcher;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        RoutingTable table = watcher.current();
        builder.up()
                .withDetail("version", table.version())
                .withDetail("builtAt", table.builtAt().toString())
                .withDetail("synced", watcher.isSynced())
                .withDetail("apps", table.apps())
                .withDetail("hosts", table.hostCount())
                .withDetail("healthyInstances", table.healthyInstanceCount());
    }
}
