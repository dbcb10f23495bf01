package io.atoll.registry.blob;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.RegistryException;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.registry.storage.StorageException;
import io.atoll.registry.storage.RegistryStorage.UploadStat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Blob uploads: a session per upload id whose bytes sit in the storage's upload area until
 * the client names the digest, and become a blob only if the digest matches.
 *
 * <p>The sha256 is computed while the bytes stream through, and its running state is kept in
 * memory between PATCH requests. If that state is missing or out of step with the stored size
 * (another process, a restart, a failed append) the upload is hashed again from storage on
 * completion, so the check never trusts anything but the stored bytes.
 */
@Service
public class UploadService {

    private static final Logger log = LoggerFactory.getLogger(UploadService.class);

    private final RegistryStorage storage;
    private final ReferenceLock references;
    private final Map<String, RunningHash> hashes = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Counter committed;
    private final Counter rejected;

    public UploadService(RegistryStorage storage, ReferenceLock references, MeterRegistry meters) {
        this.storage = storage;
        this.references = references;
        this.committed = Counter.builder("atoll.registry.uploads").tag("outcome", "committed")
                .description("blob uploads that became blobs").register(meters);
        this.rejected = Counter.builder("atoll.registry.uploads").tag("outcome", "digest_invalid")
                .description("blob uploads refused because their content did not match the digest").register(meters);
    }

    public UploadStat start(RepositoryName repository) {
        String id = UUID.randomUUID().toString();
        storage.createUpload(id, repository);
        hashes.put(id, new RunningHash(Digest.newHasher(), 0));
        return storage.statUpload(id).orElseThrow();
    }

    public UploadStat status(RepositoryName repository, String uploadId) {
        return find(repository, uploadId);
    }

    /**
     * Appends a chunk. {@code expectedStart}, from a Content-Range header, must equal the bytes
     * received so far: chunks arrive in order or not at all.
     */
    public UploadStat append(RepositoryName repository, String uploadId, InputStream chunk, Long expectedStart) {
        synchronized (lock(repository, uploadId)) {
            UploadStat upload = find(repository, uploadId);
            requireStart(upload, expectedStart);
            write(upload, chunk);
            return storage.statUpload(uploadId).orElseThrow(() -> unknownUpload(uploadId));
        }
    }

    private static void requireStart(UploadStat upload, Long expectedStart) {
        if (expectedStart != null && expectedStart != upload.size()) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416,
                    "chunk starts at " + expectedStart + " but " + upload.size() + " bytes were received",
                    Map.of("received", upload.size()));
        }
    }

    /**
     * Appends the last chunk (may be empty), verifies the digest and commits the blob.
     * {@code expectedStart} is the last chunk's Content-Range start, as in {@link #append}.
     */
    public Digest complete(RepositoryName repository, String uploadId, Digest expected, InputStream lastChunk, Long expectedStart) {
        synchronized (lock(repository, uploadId)) {
            UploadStat upload = find(repository, uploadId);
            requireStart(upload, expectedStart);
            write(upload, lastChunk);
            long size = storage.statUpload(uploadId).orElseThrow(() -> unknownUpload(uploadId)).size();
            Digest actual = digestOf(uploadId, size);
            if (!actual.equals(expected)) {
                // The spec lets a client retry, but a wrong digest means wrong bytes: keep nothing.
                cancel(uploadId);
                rejected.increment();
                throw new RegistryException(ErrorCode.DIGEST_INVALID, "content does not match digest",
                        Map.of("expected", expected.toString(), "actual", actual.toString(), "size", size));
            }
            // Bytes first, then the link: a crash in between leaves an unlinked blob for GC, never a link to nothing.
            // Both while no collection runs: one that listed an older copy of these bytes as garbage would
            // otherwise delete the blob this answer says was created. Other uploads commit meanwhile.
            references.adding(() -> {
                storage.commitUpload(uploadId, expected);
                storage.linkBlob(repository, expected);
                return null;
            });
            forget(uploadId);
            committed.increment();
            log.debug("upload {} committed as {} ({} bytes) in {}", uploadId, expected, size, repository);
            return expected;
        }
    }

    public void cancel(RepositoryName repository, String uploadId) {
        synchronized (lock(repository, uploadId)) {
            find(repository, uploadId);
            cancel(uploadId);
        }
    }

    /**
     * Deletes an upload whose id the client never learnt (a monolithic POST that failed): nobody
     * could resume or cancel it, so it must not wait for the purger. Quiet if it is already gone.
     */
    public void discard(RepositoryName repository, String uploadId) {
        Object lock;
        try {
            lock = lock(repository, uploadId);
        } catch (RegistryException gone) {
            return;
        }
        synchronized (lock) {
            if (storage.statUpload(uploadId).filter(upload -> upload.repository().equals(repository)).isPresent()) {
                cancel(uploadId);
            } else {
                forget(uploadId);
            }
        }
    }

    /** Deletes an upload regardless of owner; used by the purger for abandoned uploads. */
    void cancel(String uploadId) {
        storage.deleteUpload(uploadId);
        forget(uploadId);
    }

    private void write(UploadStat upload, InputStream chunk) {
        RunningHash hash = hashes.remove(upload.uploadId());
        if (hash == null || hash.size() != upload.size()) {
            storage.appendUpload(upload.uploadId(), chunk);
            return;
        }
        // Removed while writing: if this append fails half-way, the next step rehashes from storage.
        long size = storage.appendUpload(upload.uploadId(), new DigestInputStream(chunk, hash.hasher()));
        hashes.put(upload.uploadId(), new RunningHash(hash.hasher(), size));
    }

    private Digest digestOf(String uploadId, long size) {
        RunningHash hash = hashes.get(uploadId);
        if (hash != null && hash.size() == size) {
            return Digest.fromHash(hash.hasher().digest());
        }
        MessageDigest hasher = Digest.newHasher();
        try (InputStream in = new DigestInputStream(storage.openUpload(uploadId), hasher)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new StorageException("storage: cannot rehash upload " + uploadId + ": " + e, e);
        }
        return Digest.fromHash(hasher.digest());
    }

    private UploadStat find(RepositoryName repository, String uploadId) {
        if (!isUploadId(uploadId)) {
            throw unknownUpload(uploadId);
        }
        return storage.statUpload(uploadId)
                .filter(upload -> upload.repository().equals(repository))
                .orElseThrow(() -> unknownUpload(uploadId));
    }

    private static boolean isUploadId(String value) {
        try {
            return value != null && UUID.fromString(value).toString().equals(value);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The upload's lock, only for an upload that exists (else BLOB_UPLOAD_UNKNOWN): a lock made for
     * every id a client sends would never be removed, and a client sending random ids would grow
     * the map without end. The caller checks again under the lock.
     */
    private Object lock(RepositoryName repository, String uploadId) {
        find(repository, uploadId);
        return locks.computeIfAbsent(uploadId, id -> new Object());
    }

    /** How many uploads hold a lock now (for tests: it must not grow with ids nobody created). */
    int locksHeld() {
        return locks.size();
    }

    private void forget(String uploadId) {
        hashes.remove(uploadId);
        locks.remove(uploadId);
    }

    private static RegistryException unknownUpload(String uploadId) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload unknown", Map.of("upload", String.valueOf(uploadId)));
    }

    record RunningHash(MessageDigest hasher, long size) {
    }
}
