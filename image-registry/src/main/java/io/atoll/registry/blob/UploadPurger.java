package io.atoll.registry.blob;

import io.atoll.registry.RegistryProperties;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.registry.storage.RegistryStorage.UploadStat;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/** Deletes uploads that clients started and abandoned, so the upload area does not grow forever. */
@Component
public class UploadPurger implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(UploadPurger.class);

    private final RegistryStorage storage;
    private final UploadService uploads;
    private final RegistryProperties.Uploads properties;
    private final Clock clock;
    private ScheduledExecutorService executor;

    public UploadPurger(RegistryStorage storage, UploadService uploads, RegistryProperties properties) {
        this.storage = storage;
        this.uploads = uploads;
        this.properties = properties.uploads();
        this.clock = Clock.systemUTC();
    }

    @Override
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "upload-purger");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1, properties.purgeInterval().toMillis());
        executor.scheduleWithFixedDelay(this::purgeQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }

    /** Returns how many uploads were deleted. */
    public int purge() {
        Instant cutoff = clock.instant().minus(properties.maxAge());
        int purged = 0;
        for (UploadStat upload : storage.listUploads()) {
            if (upload.lastModified().isBefore(cutoff)) {
                uploads.cancel(upload.uploadId());
                purged++;
            }
        }
        if (purged > 0) {
            log.info("purged {} abandoned uploads older than {}", purged, properties.maxAge());
        }
        return purged;
    }

    private void purgeQuietly() {
        try {
            purge();
        } catch (RuntimeException e) {
            // Keep the schedule alive: the next pass may succeed once storage recovers.
            log.warn("upload purge failed: {}", e.toString());
        }
    }
}
