package io.atoll.registry.blob;

import io.atoll.registry.RegistryProperties;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.registry.storage.RegistryStorage.UploadStat;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Deletes uploads that clients started and abandoned, so the upload area does not grow forever.
 * Runs every {@code atoll.registry.uploads.purge-interval} ({@code RegistrySchedules}).
 */
@Component
public class UploadPurger {

    private static final Logger log = LoggerFactory.getLogger(UploadPurger.class);

    private final RegistryStorage storage;
    private final UploadService uploads;
    private final RegistryProperties.Uploads properties;
    private final Clock clock;

    public UploadPurger(RegistryStorage storage, UploadService uploads, RegistryProperties properties) {
        this.storage = storage;
        this.uploads = uploads;
        this.properties = properties.uploads();
        this.clock = Clock.systemUTC();
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
}
