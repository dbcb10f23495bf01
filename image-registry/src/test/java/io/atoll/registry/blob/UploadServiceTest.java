package io.atoll.registry.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.RegistryException;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.FilesystemRegistryStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadServiceTest {

    private static final RepositoryName REPO = new RepositoryName("demo/app");

    @Test
    void anUploadContinuedByAnotherProcessIsHashedFromStorage(@TempDir Path dir) {
        FilesystemRegistryStorage storage = new FilesystemRegistryStorage(dir);
        String id = new UploadService(storage, new ReferenceLock(), new SimpleMeterRegistry()).start(REPO).uploadId();
        new UploadService(storage, new ReferenceLock(), new SimpleMeterRegistry()).append(REPO, id, bytes("first,"), null);

        // A restarted registry has no running hash for this upload.
        UploadService restarted = new UploadService(storage, new ReferenceLock(), new SimpleMeterRegistry());
        Digest digest = restarted.complete(REPO, id, Digest.of("first,second".getBytes(StandardCharsets.UTF_8)), bytes("second"), null);
        assertThat(storage.statBlob(digest)).hasValueSatisfying(b -> assertThat(b.size()).isEqualTo(12));
    }

    @Test
    void aChunkThatBreaksOffLeavesAnUploadThatStillVerifiesCorrectly(@TempDir Path dir) {
        FilesystemRegistryStorage storage = new FilesystemRegistryStorage(dir);
        UploadService uploads = new UploadService(storage, new ReferenceLock(), new SimpleMeterRegistry());
        String id = uploads.start(REPO).uploadId();
        InputStream breaksOff = new InputStream() {
            private boolean sent;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (sent) {
                    throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, "client went away");
                }
                sent = true;
                System.arraycopy("abc".getBytes(StandardCharsets.UTF_8), 0, buffer, offset, 3);
                return 3;
            }
        };
        assertThatThrownBy(() -> uploads.append(REPO, id, breaksOff, null)).isInstanceOf(RegistryException.class);
        long received = storage.statUpload(id).orElseThrow().size();
        assertThat(received).isEqualTo(3);

        uploads.append(REPO, id, bytes("def"), received);
        Digest digest = uploads.complete(REPO, id, Digest.of("abcdef".getBytes(StandardCharsets.UTF_8)), bytes(""), null);
        assertThat(storage.statBlob(digest)).isPresent();
    }

    @Test
    void aWrongDigestKeepsNothing(@TempDir Path dir) throws IOException {
        FilesystemRegistryStorage storage = new FilesystemRegistryStorage(dir);
        UploadService uploads = new UploadService(storage, new ReferenceLock(), new SimpleMeterRegistry());
        String id = uploads.start(REPO).uploadId();
        Digest claimed = Digest.of(new byte[] {42});
        assertThatThrownBy(() -> uploads.complete(REPO, id, claimed, bytes("not 42"), null))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
        assertThat(storage.statUpload(id)).isEmpty();
        assertThat(storage.statBlob(claimed)).isEmpty();
        assertThat(storage.statBlob(Digest.of("not 42".getBytes(StandardCharsets.UTF_8)))).isEmpty();
    }

    @Test
    void idsNobodyCreatedLeaveNothingBehind(@TempDir Path dir) {
        FilesystemRegistryStorage storage = new FilesystemRegistryStorage(dir);
        UploadService uploads = new UploadService(storage, new ReferenceLock(), new SimpleMeterRegistry());
        for (int i = 0; i < 1000; i++) {
            String id = java.util.UUID.randomUUID().toString();
            assertThatThrownBy(() -> uploads.append(REPO, id, bytes("x"), null)).isInstanceOf(RegistryException.class);
            assertThatThrownBy(() -> uploads.complete(REPO, id, Digest.of(new byte[0]), bytes(""), null))
                    .isInstanceOf(RegistryException.class);
            assertThatThrownBy(() -> uploads.cancel(REPO, id)).isInstanceOf(RegistryException.class);
            uploads.discard(REPO, id);
        }
        String id = uploads.start(REPO).uploadId();
        uploads.append(REPO, id, bytes("abc"), null);
        assertThat(uploads.locksHeld()).isEqualTo(1);
        uploads.complete(REPO, id, Digest.of("abc".getBytes(StandardCharsets.UTF_8)), bytes(""), null);
        assertThat(uploads.locksHeld()).isZero();
        assertThat(storage.blobLinked(REPO, Digest.of("abc".getBytes(StandardCharsets.UTF_8)))).as("committed into its repository").isTrue();
    }

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
