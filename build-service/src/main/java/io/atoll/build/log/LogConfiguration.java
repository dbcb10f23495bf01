package io.atoll.build.log;

import io.atoll.s3.S3Clients;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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
        S3LogArchive archive = new S3LogArchive(S3Clients.connect(config.endpoint(), config.region(), config.pathStyle(),
                config.accessKeyId(), config.secretAccessKey()), config.bucket(), config.prefix());
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
