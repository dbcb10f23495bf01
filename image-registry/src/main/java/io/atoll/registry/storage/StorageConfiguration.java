package io.atoll.registry.storage;

import io.atoll.registry.RegistryProperties;
import io.atoll.s3.S3Clients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    private static final Logger log = LoggerFactory.getLogger(StorageConfiguration.class);

    /** Verified before the server takes traffic: a read-only volume or an unreachable bucket stops start-up here. */
    @Bean
    RegistryStorage registryStorage(RegistryProperties properties) {
        RegistryProperties.Storage config = properties.storage();
        RegistryStorage storage = switch (config.type()) {
            case FILESYSTEM -> new FilesystemRegistryStorage(config.root());
            case S3 -> s3(config.s3());
        };
        storage.verify();
        log.info("registry storage: {} at {}", config.type().name().toLowerCase(), storage.describe());
        return storage;
    }

    private static S3RegistryStorage s3(RegistryProperties.S3 config) {
        if (config.bucket() == null || config.bucket().isBlank()) {
            throw new IllegalStateException("atoll.registry.storage.s3.bucket is required with atoll.registry.storage.type=s3");
        }
        long partSize = config.partSize().toBytes();
        if (partSize < S3RegistryStorage.MIN_PART_SIZE || partSize > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("atoll.registry.storage.s3.part-size must be between 5MB and 2GB");
        }
        return new S3RegistryStorage(S3Clients.connect(config.endpoint(), config.region(), config.pathStyle(),
                config.accessKeyId(), config.secretAccessKey()), config.bucket(), config.prefix(), (int) partSize);
    }

    @Bean
    StorageHealthIndicator storageHealthIndicator(RegistryStorage storage) {
        return new StorageHealthIndicator(storage);
    }
}
