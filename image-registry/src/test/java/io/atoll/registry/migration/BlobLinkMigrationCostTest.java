package io.atoll.registry.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.RegistryProperties;
import io.atoll.registry.blob.BlobService;
import io.atoll.registry.blob.ReferenceLock;
import io.atoll.registry.manifest.ManifestService;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.FilesystemRegistryStorage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the layout-1 migration costs in storage calls (each an S3 request on S3): blobs and links are
 * listed once, no blob is looked up one by one, and only missing links are written, so a run after
 * a crash half-way writes just the rest.
 */
class BlobLinkMigrationCostTest {

    static final int REPOSITORIES = 150;

    /** Counts the calls the migration could make per repository and blob. */
    static class CountingStorage extends FilesystemRegistryStorage {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        CountingStorage(Path root) {
            super(root);
        }

        int calls(String method) {
            return calls.getOrDefault(method, new AtomicInteger()).get();
        }

        private void count(String method) {
            calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public Optional<BlobStat> statBlob(Digest digest) {
            count("statBlob");
            return super.statBlob(digest);
        }

        @Override
        public boolean blobLinked(RepositoryName repository, Digest digest) {
            count("blobLinked");
            return super.blobLinked(repository, digest);
        }

        @Override
        public void linkBlob(RepositoryName repository, Digest digest) {
            count("linkBlob");
            super.linkBlob(repository, digest);
        }

        @Override
        public List<BlobEntry> listBlobs() {
            count("listBlobs");
            return super.listBlobs();
        }

        @Override
        public List<BlobLink> listBlobLinks() {
            count("listBlobLinks");
            return super.listBlobLinks();
        }
    }

    @Test
    void listsOnceAndWritesOnlyMissingLinks(@TempDir Path dir) {
        CountingStorage storage = new CountingStorage(dir);
        Digest config = commit(storage, "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8));
        Digest missing = Digest.of(new byte[] {42}); // named by a manifest, its bytes long gone
        for (int i = 0; i < REPOSITORIES; i++) {
            RepositoryName repository = new RepositoryName("team" + (i % 7) + "/app" + i);
            Digest layer = commit(storage, ("layer " + i).getBytes(StandardCharsets.UTF_8));
            byte[] manifest = manifest(config, layer, missing);
            storage.writeManifest(repository, Digest.of(manifest), ManifestService.OCI_MANIFEST, manifest);
            if (i % 3 == 0) {
                storage.linkBlob(repository, config); // as a first run that crashed left it
            }
        }
        storage.calls.clear();
        BlobLinkMigration migration = migration(storage, dir);

        int expected = 2 * REPOSITORIES - (REPOSITORIES + 2) / 3;
        assertThat(migration.migrate()).isEqualTo(expected);
        assertThat(storage.calls("linkBlob")).isEqualTo(expected);
        assertThat(storage.calls("listBlobs")).isEqualTo(1);
        assertThat(storage.calls("listBlobLinks")).isEqualTo(1);
        assertThat(storage.calls("statBlob") + storage.calls("blobLinked")).as("lookups per repository and blob").isZero();
        assertThat(storage.blobLinked(new RepositoryName("team3/app10"), config)).isTrue();
        assertThat(storage.blobLinked(new RepositoryName("team3/app10"), missing)).isFalse();
        assertThat(storage.layoutVersion()).isEqualTo(2);

        storage.writeLayoutVersion(1);
        storage.calls.clear();
        assertThat(migration.migrate()).as("every link is there already").isZero();
        assertThat(storage.calls("linkBlob")).isZero();
    }

    private static BlobLinkMigration migration(FilesystemRegistryStorage storage, Path dir) {
        ReferenceLock references = new ReferenceLock();
        RegistryProperties properties = new RegistryProperties(
                new RegistryProperties.Storage(RegistryProperties.StorageType.FILESYSTEM, dir, null),
                new RegistryProperties.Uploads(Duration.ofHours(1), Duration.ofHours(1)), 4 << 20,
                new RegistryProperties.Http(false, DataSize.ofKilobytes(64)));
        return new BlobLinkMigration(storage, new ManifestService(storage, new BlobService(storage, references), references,
                JsonMapper.builder().build(), properties));
    }

    private static Digest commit(FilesystemRegistryStorage storage, byte[] content) {
        String upload = UUID.randomUUID().toString();
        storage.createUpload(upload, new RepositoryName("old/app"));
        storage.appendUpload(upload, new ByteArrayInputStream(content));
        storage.commitUpload(upload, Digest.of(content));
        return Digest.of(content);
    }

    private static byte[] manifest(Digest config, Digest... layers) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + ManifestService.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":1,\"digest\":\"" + config + "\"},"
                + "\"layers\":[");
        for (int i = 0; i < layers.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"size\":1,\"digest\":\"")
                    .append(layers[i]).append("\"}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
