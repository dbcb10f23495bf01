package io.atoll.zk.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How a service reaches ZooKeeper.
 *
 * @param connectString ensemble to connect to; empty lets platform-api's dev profile start an
 *     in-process server and the other services use {@code 127.0.0.1:2181}
 * @param root the path every Atoll node lives under
 * @param sessionTimeout how long ZooKeeper keeps ephemeral nodes after the service goes quiet
 * @param connectionTimeout how long one connection attempt may take
 */
@ConfigurationProperties("atoll.zookeeper")
public record AtollZookeeperProperties(String connectString, String root, Duration sessionTimeout,
        Duration connectionTimeout) {

    public static final String DEFAULT_CONNECT_STRING = "127.0.0.1:2181";

    public AtollZookeeperProperties {
        root = root == null || root.isBlank() ? "/atoll" : root;
        sessionTimeout = sessionTimeout == null ? Duration.ofSeconds(15) : sessionTimeout;
        connectionTimeout = connectionTimeout == null ? Duration.ofSeconds(5) : connectionTimeout;
    }

    public String effectiveConnectString() {
        return connectString == null || connectString.isBlank() ? DEFAULT_CONNECT_STRING : connectString;
    }
}
