package io.atoll.registry.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.RegistryClient;
import io.atoll.registry.TestFiles;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A registry started on storage that an Atoll registry from before per-repository links wrote
 * (layout 1: blobs, manifests and tags, no links, no layout-version) serves every image pushed
 * before, and nothing more: a blob no manifest referenced stays unlinked. Each subclass writes
 * that storage on its backend before the Spring context starts.
 */
abstract class BlobLinkMigrationContract {

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final byte[] CONFIG = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    static final byte[] LAYER = TestFiles.randomBytes(5000);
    static final byte[] ORPHAN = TestFiles.randomBytes(700);
    static final byte[] MANIFEST = manifest(Digest.of(LAYER));
    static final byte[] CONFIG_ONLY = manifest(Digest.of(CONFIG));

    @LocalServerPort
    int port;

    @Autowired
    RegistryStorage storage;

    @Autowired
    BlobLinkMigration migration;

    /** What the registry before links left behind: the same files, written the way it wrote them. */
    static void writeLayoutOne(RegistryStorage storage) {
        for (byte[] blob : new byte[][] {CONFIG, LAYER, ORPHAN}) {
            String upload = UUID.randomUUID().toString();
            storage.createUpload(upload, new RepositoryName("old/app"));
            storage.appendUpload(upload, new ByteArrayInputStream(blob));
            storage.commitUpload(upload, Digest.of(blob));
        }
        RepositoryName app = new RepositoryName("old/app");
        storage.writeManifest(app, Digest.of(MANIFEST), OCI_MANIFEST, MANIFEST);
        storage.writeTag(app, "1", Digest.of(MANIFEST));
        RepositoryName other = new RepositoryName("old/other");
        storage.writeManifest(other, Digest.of(CONFIG_ONLY), OCI_MANIFEST, CONFIG_ONLY);
        storage.writeTag(other, "1", Digest.of(CONFIG_ONLY));
        assertThat(storage.layoutVersion()).isEqualTo(1);
        assertThat(storage.listBlobLinks()).isEmpty();
    }

    @Test
    void imagesPushedBeforeLinksStillPullAndNothingElseBecameVisible() {
        RegistryClient registry = new RegistryClient(port);
        assertThat(storage.layoutVersion()).isEqualTo(2);

        assertThat(registry.get("/v2/old/app/manifests/1").body()).isEqualTo(MANIFEST);
        assertThat(registry.get("/v2/old/app/blobs/" + Digest.of(CONFIG)).body()).isEqualTo(CONFIG);
        assertThat(registry.get("/v2/old/app/blobs/" + Digest.of(LAYER)).body()).isEqualTo(LAYER);
        assertThat(registry.get("/v2/old/other/manifests/1").body()).isEqualTo(CONFIG_ONLY);
        assertThat(registry.get("/v2/old/other/blobs/" + Digest.of(CONFIG)).body()).isEqualTo(CONFIG);

        // old/other's manifests never named the layer; the orphan was named by no manifest anywhere.
        assertThat(registry.head("/v2/old/other/blobs/" + Digest.of(LAYER)).statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/old/app/blobs/" + Digest.of(ORPHAN)).statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/old/other/blobs/" + Digest.of(ORPHAN)).statusCode()).isEqualTo(404);

        // Done once: a second start finds layout 2 and writes nothing.
        assertThat(migration.migrate()).isZero();

        // A client that needs the orphan uploads it again, as docker does after its HEAD got a 404.
        assertThat(registry.post("/v2/old/app/blobs/uploads/?digest=" + Digest.of(ORPHAN), ORPHAN,
                "Content-Type", "application/octet-stream").statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/old/app/blobs/" + Digest.of(ORPHAN)).body()).isEqualTo(ORPHAN);
    }

    private static byte[] manifest(Digest layer) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":" + CONFIG.length
                + ",\"digest\":\"" + Digest.of(CONFIG) + "\"},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"size\":1,\"digest\":\"" + layer + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
