package io.atoll.registry.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.atoll.registry.RegistryProperties;
import io.atoll.registry.TestFiles;
import io.atoll.registry.blob.BlobService;
import io.atoll.registry.blob.ReferenceLock;
import io.atoll.registry.blob.UploadService;
import io.atoll.registry.migration.BlobLinkMigration;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.Reference;
import io.atoll.registry.oci.RegistryException;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.FilesystemRegistryStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * A manifest is an index (it names child manifests) or an image (it names a config and layers),
 * never both. The PUT check and everything that reads a stored manifest's blobs (garbage
 * collection, blob DELETE, the layout-1 migration) go by the same rule, so no document can name
 * another tenant's blobs unchecked and still have them kept alive or linked to its repository.
 */
class IndexOrImageManifestTest {

    static final String OCI_MANIFEST = ManifestService.OCI_MANIFEST;
    static final String OCI_INDEX = ManifestService.OCI_INDEX;
    static final RepositoryName OWNER = new RepositoryName("team-a/app");
    static final RepositoryName RIVAL = new RepositoryName("team-b/app");

    @TempDir
    Path dir;

    FilesystemRegistryStorage storage;
    UploadService uploads;
    BlobService blobs;
    ManifestService manifests;
    Digest secretConfig;
    Digest secretLayer;

    @BeforeEach
    void ownerHoldsTwoBlobs() {
        storage = new FilesystemRegistryStorage(dir);
        ReferenceLock references = new ReferenceLock();
        uploads = new UploadService(storage, references, new SimpleMeterRegistry());
        blobs = new BlobService(storage, references);
        manifests = new ManifestService(storage, blobs, references, JsonMapper.builder().build(), properties(dir));
        secretConfig = upload(OWNER, "{\"secret\":1}".getBytes(StandardCharsets.UTF_8));
        secretLayer = upload(OWNER, TestFiles.randomBytes(100));
        assertThat(blobs.held(RIVAL, secretLayer)).isFalse();
    }

    @Test
    void aDocumentThatIsBothIndexAndImageIsRefused() {
        assertThat(refusal(image(secretConfig, secretLayer, false), OCI_MANIFEST)).isEqualTo(ErrorCode.MANIFEST_BLOB_UNKNOWN);
        assertThat(refusal(image(secretConfig, secretLayer, true), OCI_MANIFEST))
                .as("an empty 'manifests' beside config and layers").isEqualTo(ErrorCode.MANIFEST_INVALID);
        assertThat(refusal(image(secretConfig, secretLayer, true), OCI_INDEX)).isEqualTo(ErrorCode.MANIFEST_INVALID);
        assertThat(refusal(image(secretConfig, secretLayer, true), "application/json"))
                .as("the document's own mediaType decides").isEqualTo(ErrorCode.MANIFEST_INVALID);
        assertThat(refusal(bytes("{\"schemaVersion\":2,\"layers\":[" + descriptor(secretLayer) + "]}"), OCI_INDEX))
                .as("an index without 'manifests'").isEqualTo(ErrorCode.MANIFEST_INVALID);
        assertThat(refusal(bytes("{\"schemaVersion\":2,\"manifests\":[]}"), OCI_MANIFEST))
                .as("an image manifest with only 'manifests'").isEqualTo(ErrorCode.MANIFEST_INVALID);
        assertThat(storage.listRepositories()).isEmpty();

        // What is either one is accepted as before.
        Digest image = manifests.put(OWNER, Reference.parse("1"), OCI_MANIFEST, image(secretConfig, secretLayer, false)).digest();
        manifests.put(OWNER, Reference.parse("all"), OCI_INDEX,
                bytes("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\"" + OCI_MANIFEST
                        + "\",\"size\":1,\"digest\":\"" + image + "\"}]}"));
        assertThat(manifests.referencedBlobs(OWNER)).containsExactlyInAnyOrder(secretConfig, secretLayer);
    }

    /**
     * A document stored before the PUT check (or written behind the registry's back) is read by its
     * media type: an index's layers and a both-kinds document's config and layers count for nothing,
     * so garbage collection does not keep the blobs for it and a re-run migration links nothing.
     */
    @Test
    void aStoredDocumentOfBothKindsNeitherKeepsNorGainsBlobs() {
        byte[] both = image(secretConfig, secretLayer, true);
        storage.writeManifest(RIVAL, Digest.of(both), OCI_MANIFEST, both);
        byte[] indexWithLayers = bytes("{\"schemaVersion\":2,\"manifests\":[],\"layers\":[" + descriptor(secretLayer) + "]}");
        storage.writeManifest(RIVAL, Digest.of(indexWithLayers), OCI_INDEX, indexWithLayers);

        assertThat(manifests.referencedBlobs(RIVAL)).isEmpty();
        assertThat(manifests.referencedBlobs()).isEmpty();

        storage.writeLayoutVersion(1); // as docs/image-registry.md says to run the migration again
        new BlobLinkMigration(storage, manifests).migrate();
        assertThat(blobs.held(RIVAL, secretLayer)).as("team-b reads team-a's layer").isFalse();
        assertThat(blobs.held(RIVAL, secretConfig)).isFalse();
    }

    private ErrorCode refusal(byte[] manifest, String contentType) {
        Throwable thrown = catchThrowable(
                () -> manifests.put(RIVAL, Reference.parse("x"), contentType, manifest));
        assertThat(thrown).as("accepted: %s", new String(manifest, StandardCharsets.UTF_8)).isInstanceOf(RegistryException.class);
        return ((RegistryException) thrown).code();
    }

    private Digest upload(RepositoryName repository, byte[] bytes) {
        String id = uploads.start(repository).uploadId();
        return uploads.complete(repository, id, Digest.of(bytes), new ByteArrayInputStream(bytes), null);
    }

    static byte[] image(Digest config, Digest layer, boolean withEmptyManifests) {
        return bytes("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + (withEmptyManifests ? "\"manifests\":[]," : "")
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":1,\"digest\":\"" + config + "\"},"
                + "\"layers\":[" + descriptor(layer) + "]}");
    }

    static String descriptor(Digest layer) {
        return "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"size\":1,\"digest\":\"" + layer + "\"}";
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static RegistryProperties properties(Path dir) {
        return new RegistryProperties(new RegistryProperties.Storage(RegistryProperties.StorageType.FILESYSTEM, dir, null),
                new RegistryProperties.Uploads(Duration.ofHours(1), Duration.ofHours(1)), 4 << 20,
                new RegistryProperties.Http(false, DataSize.ofKilobytes(64)));
    }
}
