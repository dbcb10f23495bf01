package io.atoll.registry.storage;

import io.atoll.registry.RegistryProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    private static final Logger log = LoggerFactory.getLogger(StorageConfiguration.class);

    /** Verified before the server takes traffic: a read-only or missing volume stops start-up here. */
    @Bean
    RegistryStorage registryStorage(RegistryProperties properties) {
        RegistryStorage storage = new FilesystemRegistryStorage(properties.storage().root());
        storage.verify();
        log.info("registry storage: filesystem at {}", storage.describe());
        return storage;
    }

    @Bean
    StorageHealthIndicator storageHealthIndicator(RegistryStorage storage) {
        return new StorageHealthIndicator(storage);
    }
}
