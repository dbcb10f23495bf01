package io.atoll.registry.blob;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.RegistryException;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.registry.storage.RegistryStorage.BlobStat;
import java.io.InputStream;
import java.util.Map;
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

    private static RegistryException unknown(Digest digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown to registry", Map.of("digest", digest.toString()));
    }
}
