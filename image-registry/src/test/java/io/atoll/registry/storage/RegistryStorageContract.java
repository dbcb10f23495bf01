package io.atoll.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage.StoredManifest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every storage backend must do; each backend's test extends this (S3 will, too). */
abstract class RegistryStorageContract {

    private static final RepositoryName REPO = new RepositoryName("library/app");

    protected RegistryStorage storage;

    protected abstract RegistryStorage newStorage();

    @BeforeEach
    void setUp() {
        storage = newStorage();
    }

    @Test
    void verifyPasses() {
        storage.verify();
    }

    @Test
    void uploadBecomesABlobOnlyWhenCommitted() throws IOException {
        byte[] first = "hello ".getBytes(StandardCharsets.UTF_8);
        byte[] second = "world".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.of("hello world".getBytes(StandardCharsets.UTF_8));
        String id = UUID.randomUUID().toString();

        storage.createUpload(id, REPO);
        assertThat(storage.statUpload(id)).hasValueSatisfying(u -> {
            assertThat(u.size()).isZero();
            assertThat(u.repository()).isEqualTo(REPO);
        });
        assertThat(storage.appendUpload(id, new ByteArrayInputStream(first))).isEqualTo(6);
        assertThat(storage.appendUpload(id, new ByteArrayInputStream(second))).isEqualTo(11);
        assertThat(storage.statBlob(digest)).isEmpty();
        assertThat(storage.openBlob(digest, 0)).isEmpty();
        assertThat(storage.listUploads()).extracting(RegistryStorage.UploadStat::uploadId).contains(id);

        storage.commitUpload(id, digest);
        assertThat(storage.statUpload(id)).isEmpty();
        assertThat(storage.statBlob(digest)).hasValueSatisfying(b -> assertThat(b.size()).isEqualTo(11));
        try (InputStream in = storage.openBlob(digest, 6).orElseThrow()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("world");
        }
    }

    @Test
    void deletedUploadIsGone() {
        String id = UUID.randomUUID().toString();
        storage.createUpload(id, REPO);
        storage.appendUpload(id, new ByteArrayInputStream(new byte[10]));
        storage.deleteUpload(id);
        assertThat(storage.statUpload(id)).isEmpty();
        assertThat(storage.listUploads()).extracting(RegistryStorage.UploadStat::uploadId).doesNotContain(id);
    }

    @Test
    void manifestsAndTags() {
        byte[] content = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.of(content);
        assertThat(storage.repositoryExists(REPO)).isFalse();
        assertThat(storage.readManifest(REPO, digest)).isEmpty();
        assertThat(storage.readTag(REPO, "v1")).isEmpty();

        storage.writeManifest(REPO, digest, "application/vnd.oci.image.manifest.v1+json", content);
        storage.writeManifest(REPO, digest, "application/vnd.oci.image.manifest.v1+json", content);
        storage.writeTag(REPO, "v1", digest);
        storage.writeTag(REPO, "latest", digest);

        assertThat(storage.repositoryExists(REPO)).isTrue();
        StoredManifest stored = storage.readManifest(REPO, digest).orElseThrow();
        assertThat(stored.content()).isEqualTo(content);
        assertThat(stored.mediaType()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(storage.readTag(REPO, "v1")).hasValue(digest);
        assertThat(storage.listTags(REPO)).containsExactly("latest", "v1");
        assertThat(storage.readManifest(new RepositoryName("library/other"), digest)).isEmpty();

        Digest other = Digest.of(new byte[] {1});
        storage.writeTag(REPO, "v1", other);
        assertThat(storage.readTag(REPO, "v1")).hasValue(other);
    }

    @Test
    void deletionsAndListings() {
        String id = UUID.randomUUID().toString();
        byte[] content = "blob".getBytes(StandardCharsets.UTF_8);
        Digest blob = Digest.of(content);
        storage.createUpload(id, REPO);
        storage.appendUpload(id, new ByteArrayInputStream(content));
        storage.commitUpload(id, blob);
        assertThat(storage.listBlobs()).extracting(RegistryStorage.BlobEntry::digest).contains(blob);
        assertThat(storage.deleteBlob(blob)).isTrue();
        assertThat(storage.statBlob(blob)).isEmpty();
        assertThat(storage.deleteBlob(blob)).isFalse();
        assertThat(storage.listBlobs()).extracting(RegistryStorage.BlobEntry::digest).doesNotContain(blob);

        RepositoryName nested = new RepositoryName("library/app/nested");
        byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.of(manifest);
        storage.writeManifest(REPO, digest, "application/vnd.oci.image.manifest.v1+json", manifest);
        storage.writeManifest(nested, digest, "application/vnd.oci.image.manifest.v1+json", manifest);
        storage.writeTag(REPO, "v1", digest);
        assertThat(storage.listRepositories()).containsExactly(REPO, nested);
        assertThat(storage.listManifests(REPO)).containsExactly(digest);

        assertThat(storage.deleteTag(REPO, "v1")).isTrue();
        assertThat(storage.deleteTag(REPO, "v1")).isFalse();
        assertThat(storage.listTags(REPO)).isEmpty();
        assertThat(storage.deleteManifest(REPO, digest)).isTrue();
        assertThat(storage.deleteManifest(REPO, digest)).isFalse();
        assertThat(storage.readManifest(REPO, digest)).isEmpty();
        assertThat(storage.listManifests(REPO)).isEmpty();
        assertThat(storage.readManifest(nested, digest)).isPresent();
        assertThat(storage.repositoryExists(REPO)).as("known once pushed to, even without manifests").isTrue();
        assertThat(storage.listRepositories()).containsExactly(REPO, nested);
    }

    @Test
    void deletingARepositoryKeepsBlobsAndRepositoriesNestedUnderItsName() {
        RepositoryName nested = new RepositoryName("library/app/nested");
        byte[] content = "kept".getBytes(StandardCharsets.UTF_8);
        Digest blob = Digest.of(content);
        String id = UUID.randomUUID().toString();
        storage.createUpload(id, REPO);
        storage.appendUpload(id, new ByteArrayInputStream(content));
        storage.commitUpload(id, blob);
        byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.of(manifest);
        for (RepositoryName repository : new RepositoryName[] {REPO, nested}) {
            storage.linkBlob(repository, blob);
            storage.writeManifest(repository, digest, "application/vnd.oci.image.manifest.v1+json", manifest);
            storage.writeTag(repository, "v1", digest);
        }

        assertThat(storage.deleteRepository(REPO)).isTrue();
        assertThat(storage.deleteRepository(REPO)).isFalse();
        assertThat(storage.repositoryExists(REPO)).isFalse();
        assertThat(storage.listRepositories()).containsExactly(nested);
        assertThat(storage.readTag(REPO, "v1")).isEmpty();
        assertThat(storage.blobLinked(REPO, blob)).isFalse();
        assertThat(storage.readTag(nested, "v1")).hasValue(digest);
        assertThat(storage.blobLinked(nested, blob)).isTrue();
        assertThat(storage.statBlob(blob)).as("blobs are not the repository's").isPresent();

        assertThat(storage.deleteRepository(nested)).isTrue();
        assertThat(storage.listRepositories()).isEmpty();
        assertThat(storage.listBlobLinks()).isEmpty();
    }

    @Test
    void blobLinksArePerRepositoryAndApartFromTheBytes() {
        RepositoryName other = new RepositoryName("library/other");
        RepositoryName nested = new RepositoryName("library/app/nested");
        byte[] content = "linked".getBytes(StandardCharsets.UTF_8);
        Digest blob = Digest.of(content);
        String id = UUID.randomUUID().toString();
        storage.createUpload(id, REPO);
        storage.appendUpload(id, new ByteArrayInputStream(content));
        storage.commitUpload(id, blob);
        assertThat(storage.blobLinked(REPO, blob)).as("committing stores bytes; linking is a step of its own").isFalse();

        storage.linkBlob(REPO, blob);
        storage.linkBlob(REPO, blob);
        storage.linkBlob(nested, blob);
        assertThat(storage.blobLinked(REPO, blob)).isTrue();
        assertThat(storage.blobLinked(nested, blob)).isTrue();
        assertThat(storage.blobLinked(other, blob)).isFalse();
        assertThat(storage.blobLinked(new RepositoryName("library"), blob)).isFalse();
        assertThat(storage.listBlobLinks()).extracting(RegistryStorage.BlobLink::repository, RegistryStorage.BlobLink::digest)
                .containsExactlyInAnyOrder(tuple(REPO, blob), tuple(nested, blob));
        // A link's time is when it was written (S3 keeps seconds): garbage collection's grace period counts from it.
        assertThat(storage.listBlobLinks()).allSatisfy(link -> assertThat(link.linkedAt())
                .isBetween(java.time.Instant.now().minusSeconds(60), java.time.Instant.now().plusSeconds(2)));
        assertThat(storage.repositoryExists(REPO)).as("a link alone does not make a repository known").isFalse();
        assertThat(storage.listRepositories()).isEmpty();

        // Links say nothing about the bytes: a link may outlive its blob, and unlinking keeps the blob.
        Digest gone = Digest.of(new byte[] {9});
        storage.linkBlob(other, gone);
        assertThat(storage.blobLinked(other, gone)).isTrue();
        assertThat(storage.unlinkBlob(REPO, blob)).isTrue();
        assertThat(storage.unlinkBlob(REPO, blob)).isFalse();
        assertThat(storage.unlinkBlob(new RepositoryName("never/seen"), blob)).isFalse();
        assertThat(storage.blobLinked(REPO, blob)).isFalse();
        assertThat(storage.blobLinked(nested, blob)).isTrue();
        assertThat(storage.statBlob(blob)).isPresent();

        // Manifests and tags alongside links in one repository stay as they were.
        byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        storage.writeManifest(nested, Digest.of(manifest), "application/vnd.oci.image.manifest.v1+json", manifest);
        storage.writeTag(nested, "v1", Digest.of(manifest));
        assertThat(storage.listRepositories()).containsExactly(nested);
        assertThat(storage.listManifests(nested)).containsExactly(Digest.of(manifest));
        assertThat(storage.listTags(nested)).containsExactly("v1");
        assertThat(storage.listBlobLinks()).extracting(RegistryStorage.BlobLink::repository, RegistryStorage.BlobLink::digest)
                .containsExactlyInAnyOrder(tuple(nested, blob), tuple(other, gone));
    }

    @Test
    void layoutVersionStartsAtOneAndIsRemembered() {
        assertThat(storage.layoutVersion()).isEqualTo(1);
        storage.writeLayoutVersion(2);
        assertThat(storage.layoutVersion()).isEqualTo(2);
        storage.verify();
        assertThat(storage.layoutVersion()).isEqualTo(2);
    }
}
