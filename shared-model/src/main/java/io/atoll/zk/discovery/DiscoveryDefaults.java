package io.atoll.zk.discovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.ResourcePropertySource;

/**
 * Every Atoll service's discovery settings, as defaults a service's own configuration overrides:
 * where services register (beside Atoll's ZooKeeper tree), that {@link DiscoveryRegistrar} and
 * not Spring Cloud's start-blocking registration does it, and which of Spring Cloud's health
 * components say nothing about an Atoll service.
 */
public class DiscoveryDefaults implements EnvironmentPostProcessor {

    static final String SOURCE = "io/atoll/zk/discovery/discovery-defaults.properties";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        try {
            environment.getPropertySources().addLast(new ResourcePropertySource("atollDiscoveryDefaults",
                    new ClassPathResource(SOURCE, DiscoveryDefaults.class.getClassLoader())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
