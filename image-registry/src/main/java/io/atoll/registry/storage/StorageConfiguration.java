package io.atoll.registry.storage;

import io.atoll.registry.RegistryProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

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
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(config.region()))
                .forcePathStyle(config.pathStyle())
                // Checksums only where S3 demands them: S3-compatible servers differ in the newer
                // trailing-checksum uploads, and digests are verified by the registry anyway.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        if (config.accessKeyId() != null && !config.accessKeyId().isBlank()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return new S3RegistryStorage(builder.build(), config.bucket(), config.prefix(), (int) partSize);
    }

    @Bean
    StorageHealthIndicator storageHealthIndicator(RegistryStorage storage) {
        return new StorageHealthIndicator(storage);
    }
}
