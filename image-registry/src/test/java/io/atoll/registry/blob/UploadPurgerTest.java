package io.atoll.registry.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.RegistryProperties;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.FilesystemRegistryStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadPurgerTest {

    @Test
    void abandonedUploadsAreDeletedAndFreshOnesKept(@TempDir Path dir) throws Exception {
        FilesystemRegistryStorage storage = new FilesystemRegistryStorage(dir);
        UploadService uploads = new UploadService(storage, new ReferenceLock(), new SimpleMeterRegistry());
        RepositoryName name = new RepositoryName("demo/app");
        String old = uploads.start(name).uploadId();
        uploads.append(name, old, new ByteArrayInputStream(new byte[] {1, 2, 3}), null);
        Thread.sleep(50);

        RegistryProperties properties = new RegistryProperties(new RegistryProperties.Storage(RegistryProperties.StorageType.FILESYSTEM, dir, null),
                new RegistryProperties.Uploads(Duration.ofMillis(20), Duration.ofHours(1)), 4 << 20, new RegistryProperties.Http(false, org.springframework.util.unit.DataSize.ofKilobytes(64)));
        String fresh = uploads.start(name).uploadId();
        UploadPurger purger = new UploadPurger(storage, uploads, properties);

        assertThat(purger.purge()).isEqualTo(1);
        assertThat(storage.statUpload(old)).isEmpty();
        assertThat(storage.statUpload(fresh)).isPresent();
    }
}
