package io.atoll.registry.blob;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.RegistryException;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.registry.storage.RegistryStorage.BlobStat;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * Committed blobs. Blobs are content-addressed and shared by all repositories, as in the
 * reference registry's storage; without authentication (a later issue) there is nothing to
 * scope them by, so a blob pushed to one repository can be fetched or mounted through another.
 */
@Service
public class BlobService {

    private final RegistryStorage storage;

    public BlobService(RegistryStorage storage) {
        this.storage = storage;
    }

    public BlobStat stat(Digest digest) {
        return storage.statBlob(digest).orElseThrow(() -> unknown(digest));
    }

    public boolean exists(Digest digest) {
        return storage.statBlob(digest).isPresent();
    }

    public InputStream open(Digest digest, long offset) {
        return storage.openBlob(digest, offset).orElseThrow(() -> unknown(digest));
    }

    /** The blob's local file, when the storage has one (see {@link RegistryStorage#blobFile}). */
    public Optional<Path> file(Digest digest) {
        return storage.blobFile(digest);
    }

    /**
     * Blobs are shared by every repository, so deleting one through any name would break
     * images elsewhere while a manifest still needs it: such a blob is refused. Delete the
     * manifests first (or let garbage collection find the blob once nothing references it).
     */
    public void delete(Digest digest, Map<Digest, String> referenced) {
        if (!exists(digest)) {
            throw unknown(digest);
        }
        String owner = referenced.get(digest);
        if (owner != null) {
            throw new RegistryException(ErrorCode.DENIED, "blob is still referenced by a manifest; delete the manifest first",
                    Map.of("digest", digest.toString(), "referencedBy", owner));
        }
        if (!storage.deleteBlob(digest)) {
            throw unknown(digest);
        }
    }

    private static RegistryException unknown(Digest digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown to registry", Map.of("digest", digest.toString()));
    }
}
