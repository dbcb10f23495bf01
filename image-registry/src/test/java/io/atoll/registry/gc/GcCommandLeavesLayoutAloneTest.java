package io.atoll.registry.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.ImageRegistryApplication;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.FilesystemRegistryStorage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline {@code gc} command on storage a registry from before per-repository links wrote
 * (layout 1): it never migrates (no links, no {@code layout-version}; only the registry serving
 * the storage does that), and {@code --dry-run} leaves every file as it was.
 */
class GcCommandLeavesLayoutAloneTest {

    static final RepositoryName APP = new RepositoryName("old/app");

    @TempDir
    Path dir;

    FilesystemRegistryStorage storage;
    Digest config;
    Digest orphan;

    @BeforeEach
    void layoutOne() {
        storage = new FilesystemRegistryStorage(dir);
        byte[] configBytes = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        config = commit(configBytes);
        orphan = commit(new byte[] {1, 2, 3});
        byte[] manifest = ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":"
                + configBytes.length + ",\"digest\":\"" + config + "\"},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        storage.writeManifest(APP, Digest.of(manifest), "application/vnd.oci.image.manifest.v1+json", manifest);
        assertThat(storage.layoutVersion()).isEqualTo(1);
    }

    @Test
    void aDryRunWritesNothing() throws IOException {
        Map<String, String> before = files();

        GcReport report = GcCommand.run(ImageRegistryApplication.class, "--dry-run", "--atoll.registry.storage.root=" + dir,
                "--atoll.registry.gc.grace-period=0s");

        assertThat(report.deleted()).containsExactly(orphan.toString());
        assertThat(files()).as("every file, its size and time").isEqualTo(before);
        assertThat(storage.listBlobLinks()).as("links written by a dry run").isEmpty();
        assertThat(storage.layoutVersion()).as("layout-version written by a dry run").isEqualTo(1);
    }

    @Test
    void aCollectionLeavesTheMigrationToTheRegistry() {
        GcReport report = GcCommand.run(ImageRegistryApplication.class, "--atoll.registry.storage.root=" + dir,
                "--atoll.registry.gc.grace-period=0s");

        assertThat(report.deleted()).containsExactly(orphan.toString());
        assertThat(storage.statBlob(config)).as("referenced by the layout-1 manifest").isPresent();
        assertThat(storage.listBlobLinks()).isEmpty();
        assertThat(storage.layoutVersion()).isEqualTo(1);
    }

    private Digest commit(byte[] content) {
        String upload = UUID.randomUUID().toString();
        storage.createUpload(upload, APP);
        storage.appendUpload(upload, new ByteArrayInputStream(content));
        storage.commitUpload(upload, Digest.of(content));
        return Digest.of(content);
    }

    /** Every regular file under the storage root, with its size and modification time. */
    private Map<String, String> files() throws IOException {
        Map<String, String> result = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                result.put(dir.relativize(file).toString(), Files.size(file) + " " + Files.getLastModifiedTime(file));
            }
        }
        return result;
    }
}
