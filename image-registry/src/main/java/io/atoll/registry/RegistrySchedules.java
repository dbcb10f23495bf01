package io.atoll.registry;

import io.atoll.registry.blob.UploadPurger;
import io.atoll.registry.gc.GarbageCollector;
import io.atoll.registry.gc.GcProperties;
import java.time.Duration;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * The registry's housekeeping, on Spring's scheduler: abandoned uploads are purged every
 * {@code atoll.registry.uploads.purge-interval}, and garbage is collected every
 * {@code atoll.registry.gc.interval} (never when it is zero). Each first runs one interval after
 * start-up, not during it. A run that fails is logged by the scheduler and the next one runs as
 * planned, so a storage outage does not end the schedule.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
public class RegistrySchedules implements SchedulingConfigurer {

    private final UploadPurger purger;
    private final GarbageCollector collector;
    private final Duration purgeInterval;
    private final Duration gcInterval;

    public RegistrySchedules(UploadPurger purger, GarbageCollector collector, RegistryProperties registry,
            GcProperties gc) {
        this.purger = purger;
        this.collector = collector;
        this.purgeInterval = registry.uploads().purgeInterval();
        this.gcInterval = gc.interval();
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar tasks) {
        if (isPositive(purgeInterval)) {
            tasks.addFixedDelayTask(new FixedDelayTask(purger::purge, purgeInterval, purgeInterval));
        }
        if (isPositive(gcInterval)) {
            tasks.addFixedDelayTask(new FixedDelayTask(() -> collector.collect(false), gcInterval, gcInterval));
        }
    }

    private static boolean isPositive(Duration interval) {
        return !interval.isZero() && !interval.isNegative();
    }
}
