package io.atoll.zk.config;

import org.apache.curator.framework.CuratorFramework;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/** DOWN while the Curator client has no live connection to the ensemble. */
public class ZookeeperHealthIndicator extends AbstractHealthIndicator {

    private final CuratorFramework client;
    private final String connectString;

    public ZookeeperHealthIndicator(CuratorFramework client, String connectString) {
        this.client = client;
        this.connectString = connectString;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("connectString", connectString);
        if (client.getZookeeperClient().isConnected()) {
            builder.up();
        } else {
            builder.down().withDetail("reason", "not connected");
        }
    }
}
