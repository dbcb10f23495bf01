package io.atoll.registry.blob;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.RegistryException;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.registry.storage.RegistryStorage.BlobStat;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Service;

/**
 * Committed blobs, as each repository sees them. The bytes are content-addressed and stored once,
 * but a repository holds a blob only if it was uploaded there, mounted there from a repository
 * the client may pull, or (for storage from before links) a manifest of that repository
 * referenced it. Knowing a digest is not enough: a blob another tenant pushed is
 * {@code BLOB_UNKNOWN} through every other repository, as in the reference registry.
 */
@Service
public class BlobService {

    private final RegistryStorage storage;
    private final ReferenceLock references;

    public BlobService(RegistryStorage storage, ReferenceLock references) {
        this.storage = storage;
        this.references = references;
    }

    /** The blob as {@code repository} holds it; {@code BLOB_UNKNOWN} when it holds none (or the bytes are gone). */
    public BlobStat stat(RepositoryName repository, Digest digest) {
        if (!storage.blobLinked(repository, digest)) {
            throw unknown(digest);
        }
        return storage.statBlob(digest).orElseThrow(() -> unknown(digest));
    }

    /** Whether {@code repository} holds the blob and its bytes exist. */
    public boolean held(RepositoryName repository, Digest digest) {
        return storage.blobLinked(repository, digest) && storage.statBlob(digest).isPresent();
    }

    /**
     * Gives {@code target} the blob that {@code source} holds, without copying a byte. The caller
     * has checked that the client may pull {@code source}. The check and the link are one step
     * for garbage collection ({@link ReferenceLock#adding}): a collection cannot delete the bytes
     * between them and leave {@code target} a link to nothing.
     *
     * @return false when {@code source} does not hold the blob, so there is nothing to mount
     */
    public boolean mount(RepositoryName source, RepositoryName target, Digest digest) {
        return references.adding(() -> {
            if (!held(source, digest)) {
                return false;
            }
            storage.linkBlob(target, digest);
            return true;
        });
    }

    /** Opens a blob found by {@link #stat}; {@code BLOB_UNKNOWN} if it was collected since. */
    public InputStream open(Digest digest, long offset) {
        return storage.openBlob(digest, offset).orElseThrow(() -> unknown(digest));
    }

    /** The blob's local file, when the storage has one (see {@link RegistryStorage#blobFile}). */
    public Optional<Path> file(Digest digest) {
        return storage.blobFile(digest);
    }

    /**
     * Removes the blob from {@code repository} only: other repositories holding it keep it, and its
     * bytes go when garbage collection finds nothing referencing them. Refused while one of this
     * repository's own manifests needs the blob, which would leave an image that cannot be pulled.
     */
    public void delete(RepositoryName repository, Digest digest, Set<Digest> referencedHere) {
        if (!storage.blobLinked(repository, digest)) {
            throw unknown(digest);
        }
        if (referencedHere.contains(digest)) {
            throw new RegistryException(ErrorCode.DENIED,
                    "blob is still referenced by a manifest of this repository; delete the manifest first",
                    Map.of("digest", digest.toString(), "name", repository.value()));
        }
        if (!storage.unlinkBlob(repository, digest)) {
            throw unknown(digest);
        }
    }

    private static RegistryException unknown(Digest digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown to registry", Map.of("digest", digest.toString()));
    }
}
