package io.atoll.registry.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.ImageRegistryApplication;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.FilesystemRegistryStorage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline command: {@code java -jar image-registry.jar gc [--dry-run]}, without the dev profile or any users. */
class GcCommandTest {

    @Test
    void collectsStorageOfflineAndReports(@TempDir Path dir) {
        FilesystemRegistryStorage storage = new FilesystemRegistryStorage(dir);
        byte[] content = {4, 5, 6, 7};
        String upload = UUID.randomUUID().toString();
        storage.createUpload(upload, new RepositoryName("x"));
        storage.appendUpload(upload, new ByteArrayInputStream(content));
        storage.commitUpload(upload, Digest.of(content));
        String root = "--atoll.registry.storage.root=" + dir;

        GcReport dryRun = GcCommand.run(ImageRegistryApplication.class, "--dry-run", root, "--atoll.registry.gc.grace-period=0s");
        assertThat(dryRun.dryRun()).isTrue();
        assertThat(dryRun.deleted()).containsExactly(Digest.of(content).toString());
        assertThat(storage.statBlob(Digest.of(content))).isPresent();

        GcReport kept = GcCommand.run(ImageRegistryApplication.class, root);
        assertThat(kept.blobsKeptForGrace()).as("the default grace period keeps a blob just committed").isEqualTo(1);

        GcReport report = GcCommand.run(ImageRegistryApplication.class, root, "--atoll.registry.gc.grace-period=0s");
        assertThat(report.blobsDeleted()).isEqualTo(1);
        assertThat(report.bytesFreed()).isEqualTo(content.length);
        assertThat(storage.statBlob(Digest.of(content))).isEmpty();
    }
}
