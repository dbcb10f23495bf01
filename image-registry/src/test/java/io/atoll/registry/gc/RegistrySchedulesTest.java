package io.atoll.registry.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.registry.RegistryProperties;
import io.atoll.registry.blob.BlobService;
import io.atoll.registry.blob.ReferenceLock;
import io.atoll.registry.blob.UploadPurger;
import io.atoll.registry.blob.UploadService;
import io.atoll.registry.RegistrySchedules;
import io.atoll.registry.manifest.ManifestService;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.FilesystemRegistryStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import tools.jackson.databind.json.JsonMapper;

/** The housekeeping runs by itself on Spring's scheduler, and an interval of zero turns GC off. */
class RegistrySchedulesTest {

    @Test
    void unreferencedBlobsAndAbandonedUploadsGoAwayOnTheirOwn(@TempDir Path dir) throws Exception {
        Fixture fixture = new Fixture(dir, Duration.ofMillis(50));
        Digest garbage = fixture.unreferencedBlob();
        String abandoned = fixture.abandonedUpload();

        ScheduledTaskRegistrar tasks = fixture.schedule();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> fixture.storage.statBlob(garbage).isEmpty()
                    && fixture.storage.statUpload(abandoned).isEmpty());
            assertThat(fixture.meters.get("atoll.registry.gc.blobs.deleted").counter().count()).isEqualTo(1);
        } finally {
            tasks.destroy();
        }
    }

    @Test
    void anIntervalOfZeroTurnsCollectionOff(@TempDir Path dir) throws Exception {
        Fixture fixture = new Fixture(dir, Duration.ZERO);
        Digest garbage = fixture.unreferencedBlob();

        ScheduledTaskRegistrar tasks = fixture.schedule();
        try {
            assertThat(tasks.getFixedDelayTaskList()).hasSize(1); // the upload purge only
            Thread.sleep(300);
            assertThat(fixture.storage.statBlob(garbage)).isPresent();
        } finally {
            tasks.destroy();
        }
    }

    private static final class Fixture {

        final FilesystemRegistryStorage storage;
        final SimpleMeterRegistry meters = new SimpleMeterRegistry();
        final RegistrySchedules schedules;
        final UploadService uploads;

        Fixture(Path dir, Duration gcInterval) {
            storage = new FilesystemRegistryStorage(dir);
            RegistryProperties properties = new RegistryProperties(
                    new RegistryProperties.Storage(RegistryProperties.StorageType.FILESYSTEM, dir, null),
                    new RegistryProperties.Uploads(Duration.ofMillis(20), Duration.ofMillis(50)), 4 << 20,
                    new RegistryProperties.Http(false, org.springframework.util.unit.DataSize.ofKilobytes(64)));
            ReferenceLock references = new ReferenceLock();
            ManifestService manifests = new ManifestService(storage, new BlobService(storage, references), references,
                    JsonMapper.builder().build(), properties);
            GarbageCollector collector = new GarbageCollector(storage, manifests, Duration.ZERO, Clock.systemUTC(),
                    meters);
            uploads = new UploadService(storage, references, meters);
            schedules = new RegistrySchedules(new UploadPurger(storage, uploads, properties), collector, properties,
                    new GcProperties(Duration.ZERO, gcInterval));
        }

        Digest unreferencedBlob() {
            String upload = UUID.randomUUID().toString();
            byte[] content = UUID.randomUUID().toString().getBytes();
            storage.createUpload(upload, new RepositoryName("x"));
            storage.appendUpload(upload, new ByteArrayInputStream(content));
            storage.commitUpload(upload, Digest.of(content));
            return Digest.of(content);
        }

        String abandonedUpload() {
            RepositoryName name = new RepositoryName("demo/app");
            String id = uploads.start(name).uploadId();
            uploads.append(name, id, new ByteArrayInputStream(new byte[] {1, 2, 3}), null);
            return id;
        }

        ScheduledTaskRegistrar schedule() {
            ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
            scheduler.setDaemon(true);
            scheduler.initialize();
            ScheduledTaskRegistrar tasks = new ScheduledTaskRegistrar();
            tasks.setTaskScheduler(scheduler);
            schedules.configureTasks(tasks);
            tasks.afterPropertiesSet();
            return tasks;
        }
    }
}
