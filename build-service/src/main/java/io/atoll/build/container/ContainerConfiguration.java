package io.atoll.build.container;

import com.github.dockerjava.api.DockerClient;
import io.atoll.build.BuildProperties;
import io.atoll.docker.DockerClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(BuilderProperties.class)
class ContainerConfiguration {

    @Bean(destroyMethod = "close")
    DockerClient builderDocker(BuilderProperties properties) {
        // wait and the log stream last as long as a build; the build's own timeout bounds them
        return DockerClients.connect(properties.dockerHost(), 16, properties.timeout().plusMinutes(1));
    }

    @Bean
    BuilderContainers builderContainers(DockerClient builderDocker, BuilderProperties properties,
            BuildProperties build) throws IOException {
        return new BuilderContainers(builderDocker, properties, owner(Path.of(build.dataDir())));
    }

    @Bean
    WarmBuilders warmBuilders(DockerClient builderDocker, BuilderProperties properties, BuilderContainers containers,
            BuildProperties build) {
        return new WarmBuilders(builderDocker, properties, containers.owner(), Path.of(build.dataDir(), "warm"),
                Clock.systemUTC());
    }

    /** A random id kept in the data directory: a restarted build-service is the same owner, another one is not. */
    private static String owner(Path dataDir) throws IOException {
        Path file = dataDir.resolve("builder-owner");
        if (Files.isRegularFile(file)) {
            String id = Files.readString(file).trim();
            if (id.matches("[0-9a-f-]{36}")) {
                return id;
            }
        }
        Files.createDirectories(dataDir);
        String id = UUID.randomUUID().toString();
        Files.writeString(file, id + "\n");
        return id;
    }

    @Bean
    DockerfileBuilds dockerfileBuilds(DockerClient builderDocker, BuilderProperties properties,
            io.atoll.build.image.RegistryProperties registry) {
        return new DockerfileBuilds(builderDocker, properties, registry);
    }

    /** {@code docker} in /actuator/health: without the engine no build can run (not part of readiness: the API still serves). */
    @Bean
    AbstractHealthIndicator dockerHealthIndicator(DockerClient builderDocker, BuilderProperties properties) {
        return new AbstractHealthIndicator("Docker engine unreachable") {
            @Override
            protected void doHealthCheck(Health.Builder builder) {
                builderDocker.pingCmd().exec();
                boolean image = !builderDocker.listImagesCmd().withImageNameFilter(properties.image()).exec().isEmpty();
                builder.withDetail("builderImage", properties.image()).withDetail("builderImagePresent", image);
                if (image) {
                    builder.up();
                } else {
                    builder.down();
                }
            }
        };
    }
}
