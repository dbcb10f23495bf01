package io.atoll.platform.zookeeper;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * In the {@code dev} profile with no {@code atoll.zookeeper.connect-string} configured, points
 * this service's own ZooKeeper client at the in-process server it is about to start, so the one
 * machine quick start needs no ensemble. Any configured connect string wins.
 */
public class EmbeddedZookeeperEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String ACTIVE = "atoll.platform.embedded-zookeeper.active";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        boolean dev = environment.matchesProfiles("dev");
        String configured = environment.getProperty("atoll.zookeeper.connect-string");
        if (!dev || (configured != null && !configured.isBlank())) {
            return;
        }
        String port = environment.getProperty("atoll.platform.embedded-zookeeper.port",
                String.valueOf(EmbeddedZookeeperProperties.DEFAULT_PORT));
        environment.getPropertySources().addLast(new MapPropertySource("atollEmbeddedZookeeper", Map.of(
                "atoll.zookeeper.connect-string", "127.0.0.1:" + port,
                ACTIVE, "true")));
    }
}
