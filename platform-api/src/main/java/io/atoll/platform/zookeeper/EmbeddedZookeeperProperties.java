package io.atoll.platform.zookeeper;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The in-process ZooKeeper of the {@code dev} profile, started only when no connect string is
 * configured.
 *
 * @param port the client port the other services connect to
 * @param dataDir where it keeps its data, so routes and assignments survive a restart
 */
@ConfigurationProperties("atoll.platform.embedded-zookeeper")
public record EmbeddedZookeeperProperties(Integer port, Path dataDir) {

    /** ZooKeeper's usual client port, so the other services' defaults find it. */
    static final int DEFAULT_PORT = 2181;

    public EmbeddedZookeeperProperties {
        port = port == null ? DEFAULT_PORT : port;
        dataDir = dataDir == null ? Path.of("data", "zookeeper") : dataDir;
    }
}
