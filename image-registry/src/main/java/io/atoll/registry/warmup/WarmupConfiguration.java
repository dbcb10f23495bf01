package io.atoll.registry.warmup;

import io.atoll.registry.auth.RegistryAccess;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.warmup.WarmupHealthIndicator;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The start-up warm-up and the health indicator that holds readiness back until it is over. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WarmupProperties.class)
public class WarmupConfiguration {

    @Bean
    RegistryWarmup registryWarmup(WarmupProperties properties, RegistryAccess access, RegistryStorage storage,
            Environment environment) {
        return new RegistryWarmup(properties, access, storage, environment);
    }

    /** Named {@code warmup} in health; listed in the readiness group (application.yml). */
    @Bean
    WarmupHealthIndicator warmupHealthIndicator(RegistryWarmup warmup) {
        return new WarmupHealthIndicator(warmup);
    }
}
