package io.atoll.platform.zookeeper;

import java.io.IOException;
import java.nio.file.Files;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * Runs a standalone ZooKeeper inside platform-api for the one-machine default. Created as a
 * plain bean rather than a lifecycle so it is up before the Curator client needs it; the client
 * retries in the background anyway.
 */
@Configuration(proxyBeanMethods = false)
@Profile("dev")
@ConditionalOnProperty(name = EmbeddedZookeeperEnvironmentPostProcessor.ACTIVE, havingValue = "true")
public class EmbeddedZookeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedZookeeper.class);

    private final TestingServer server;

    public EmbeddedZookeeper(EmbeddedZookeeperProperties properties) throws Exception {
        Files.createDirectories(properties.dataDir());
        InstanceSpec spec = new InstanceSpec(properties.dataDir().toFile(), properties.port(), -1, -1, false, -1,
                2000, 60);
        this.server = new TestingServer(spec, true);
        log.info("Embedded ZooKeeper listening on {} (data in {})", server.getConnectString(), properties.dataDir());
    }

    @Override
    public void close() throws IOException {
        server.stop();
    }
}
