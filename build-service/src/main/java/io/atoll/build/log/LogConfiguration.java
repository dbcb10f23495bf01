package io.atoll.build.log;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
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

/** The {@code s3} log archive, when {@code atoll.build.log.archive=s3}; with {@code filesystem} none of this exists. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LogArchiveProperties.class)
class LogConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LogConfiguration.class);

    /** Not verified at start: builds and their logs go on without the bucket, which the archiver catches up with. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "atoll.build.log.archive", havingValue = "s3")
    S3LogArchive s3LogArchive(LogArchiveProperties properties) {
        LogArchiveProperties.S3 config = properties.s3();
        if (config.bucket() == null || config.bucket().isBlank()) {
            throw new IllegalStateException("atoll.build.log.s3.bucket is required with atoll.build.log.archive=s3");
        }
        // built as image-registry builds its client (io.atoll.registry.storage.StorageConfiguration)
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(config.region()))
                .forcePathStyle(config.pathStyle())
                // checksums only where S3 demands them: S3-compatible servers differ in the newer trailing-checksum uploads
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        if (config.accessKey() != null && !config.accessKey().isBlank()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.accessKey(), config.secretKey())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        S3LogArchive archive = new S3LogArchive(builder.build(), config.bucket(), config.prefix());
        log.info("Finished build logs go to {}{}", archive.describe(),
                config.endpoint() == null ? "" : " at " + config.endpoint());
        return archive;
    }

    @Bean
    @ConditionalOnProperty(name = "atoll.build.log.archive", havingValue = "s3")
    LogArchiver logArchiver(BuildLogs logs, S3LogArchive s3LogArchive, MeterRegistry meters) {
        return new LogArchiver(logs, s3LogArchive, meters);
    }

    /**
     * {@code s3} in /actuator/health: the bucket answers, and how many finished logs wait on disk
     * for it. Not part of readiness: without the bucket builds run, logs stay on disk and are served
     * from there, and the archiver moves them once it answers again.
     */
    @Bean
    @ConditionalOnProperty(name = "atoll.build.log.archive", havingValue = "s3")
    AbstractHealthIndicator s3HealthIndicator(S3LogArchive s3LogArchive, LogArchiver logArchiver) {
        return new AbstractHealthIndicator("log archive unreachable") {
            @Override
            protected void doHealthCheck(Health.Builder builder) {
                builder.withDetail("location", s3LogArchive.describe()).withDetail("waiting", logArchiver.waiting());
                s3LogArchive.check();
                builder.up();
            }
        };
    }
}
