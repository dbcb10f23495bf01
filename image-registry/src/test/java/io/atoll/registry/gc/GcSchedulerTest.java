package io.atoll.registry.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.RegistryProperties;
import io.atoll.registry.blob.BlobService;
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
import tools.jackson.databind.json.JsonMapper;

class GcSchedulerTest {

    @Test
    void collectsOnItsScheduleAndStopsWithTheLifecycle(@TempDir Path dir) throws InterruptedException {
        FilesystemRegistryStorage storage = new FilesystemRegistryStorage(dir);
        RegistryProperties properties = new RegistryProperties(new RegistryProperties.Storage(RegistryProperties.StorageType.FILESYSTEM, dir, null),
                new RegistryProperties.Uploads(Duration.ofHours(1), Duration.ofHours(1)), 4194304, new RegistryProperties.Http(true));
        ManifestService manifests = new ManifestService(storage, new BlobService(storage), JsonMapper.builder().build(), properties);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        GarbageCollector collector = new GarbageCollector(storage, manifests, Duration.ZERO, Clock.systemUTC(), meters);
        String upload = UUID.randomUUID().toString();
        byte[] content = {1, 2, 3};
        storage.createUpload(upload, new RepositoryName("x"));
        storage.appendUpload(upload, new ByteArrayInputStream(content));
        storage.commitUpload(upload, Digest.of(content));

        GcScheduler scheduler = new GcScheduler(collector, Duration.ofMillis(50));
        scheduler.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (storage.statBlob(Digest.of(content)).isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(storage.statBlob(Digest.of(content))).isEmpty();
            assertThat(collector.lastReport()).isNotNull();
            assertThat(meters.get("atoll.registry.gc.blobs.deleted").counter().count()).isEqualTo(1);
        } finally {
            scheduler.stop();
        }
        assertThat(scheduler.isRunning()).isFalse();
        assertThat(new GcScheduler(collector, Duration.ZERO)).satisfies(off -> {
            off.start();
            assertThat(off.isRunning()).as("interval 0 turns the schedule off").isFalse();
        });
    }
}
