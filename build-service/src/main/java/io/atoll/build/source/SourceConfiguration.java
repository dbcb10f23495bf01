package io.atoll.build.source;

import java.nio.file.Path;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;

/** The sources a builder checks out from; no builder uses them yet (docs/build-service.md). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SourceProperties.class)
class SourceConfiguration {

    @Bean
    GitSource gitSource(SourceProperties properties, Environment environment) {
        return new GitSource(properties.git(), workspaceRoot(properties), environment.acceptsProfiles(Profiles.of("dev")));
    }

    @Bean
    TarballSource tarballSource(SourceProperties properties) {
        return new TarballSource(properties.upload(), workspaceRoot(properties));
    }

    private static Path workspaceRoot(SourceProperties properties) {
        return properties.workspaceDir().isBlank()
                ? Path.of(System.getProperty("java.io.tmpdir"), "atoll-build")
                : Path.of(properties.workspaceDir());
    }
}
