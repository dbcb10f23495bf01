package io.atoll.registry.storage;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the registry keeps its bytes. Deliberately narrow so that a second backend (S3) stays
 * small: content-addressed blobs, manifests, tags and blob links per repository, and upload temp
 * areas whose content becomes a blob only through {@link #commitUpload}. Inputs are already
 * validated value types; implementations never see raw request strings. Digests are computed and
 * checked above this interface, so a backend only moves bytes.
 *
 * <p>Blob bytes are stored once, whatever the number of repositories holding them; a repository
 * holds a blob only through a link ({@link #linkBlob}), as in the reference registry's
 * {@code _layers} links. Which repository may see which blob is decided above this interface.
 */
public interface RegistryStorage {

    /** Writes, reads back and deletes a probe; throws {@link StorageException} if any step fails. */
    void verify();

    /** A human-readable location for logs and health (a path, a bucket). */
    String describe();

    Optional<BlobStat> statBlob(Digest digest);

    /** Opens a blob at {@code offset}; empty when the blob does not exist. */
    Optional<InputStream> openBlob(Digest digest, long offset);

    /**
     * The local file holding a committed blob, for backends that have one, so the web layer can
     * hand it to the kernel (sendfile) instead of copying it through the JVM. Empty when the
     * blob does not exist or the backend keeps no local files.
     */
    default Optional<Path> blobFile(Digest digest) {
        return Optional.empty();
    }

    /** Deletes a committed blob; false when there was none. */
    boolean deleteBlob(Digest digest);

    /** Every committed blob, with its last-modified time (when its upload was committed). */
    List<BlobEntry> listBlobs();

    void createUpload(String uploadId, RepositoryName repository);

    Optional<UploadStat> statUpload(String uploadId);

    /** Appends all of {@code data} to the upload and returns its new total size. */
    long appendUpload(String uploadId, InputStream data);

    InputStream openUpload(String uploadId);

    /** Makes the upload's content visible as blob {@code digest} in one atomic step and forgets the upload. */
    void commitUpload(String uploadId, Digest digest);

    void deleteUpload(String uploadId);

    List<UploadStat> listUploads();

    boolean repositoryExists(RepositoryName repository);

    Optional<StoredManifest> readManifest(RepositoryName repository, Digest digest);

    /** Stores the manifest under its digest; writing the same digest again is a no-op. */
    void writeManifest(RepositoryName repository, Digest digest, String mediaType, byte[] content);

    /** Every manifest digest stored in the repository (tagged or not), in no particular order. */
    List<Digest> listManifests(RepositoryName repository);

    /** Deletes one manifest revision (not the tags that point at it); false when there was none. */
    boolean deleteManifest(RepositoryName repository, Digest digest);

    /**
     * Removes the repository's manifests, tags and blob links (never the blobs, nor a repository
     * nested under its name), so that it is no longer listed; false when there was nothing.
     */
    boolean deleteRepository(RepositoryName repository);

    /** Every repository that has had a manifest pushed, sorted by name. */
    List<RepositoryName> listRepositories();

    Optional<Digest> readTag(RepositoryName repository, String tag);

    /** Removes a tag; false when there was none. */
    boolean deleteTag(RepositoryName repository, String tag);

    void writeTag(RepositoryName repository, String tag, Digest digest);

    List<String> listTags(RepositoryName repository);

    /**
     * Records that the repository holds the blob (it was uploaded or mounted there). Linking again
     * changes nothing but the link's time ({@link BlobLink#linkedAt}), which becomes now.
     */
    void linkBlob(RepositoryName repository, Digest digest);

    /** Whether the repository holds a link to the blob; says nothing about whether the blob's bytes still exist. */
    boolean blobLinked(RepositoryName repository, Digest digest);

    /** Removes the repository's link to the blob (never the blob); false when there was none. */
    boolean unlinkBlob(RepositoryName repository, Digest digest);

    /** Every blob link of every repository, including repositories that have no manifest yet, with when it was last written. */
    List<BlobLink> listBlobLinks();

    /**
     * The layout version this storage was last brought up to ({@link #writeLayoutVersion}); 1 for
     * storage written before versions were recorded (or never written at all).
     */
    int layoutVersion();

    void writeLayoutVersion(int version);

    record BlobStat(Digest digest, long size) {
    }

    record BlobEntry(Digest digest, long size, Instant lastModified) {
    }

    record UploadStat(String uploadId, RepositoryName repository, long size, Instant lastModified) {
    }

    record StoredManifest(Digest digest, String mediaType, byte[] content) {
    }

    /** @param linkedAt when the link was last written (garbage collection keeps a blob linked recently) */
    record BlobLink(RepositoryName repository, Digest digest, Instant linkedAt) {
    }
}
