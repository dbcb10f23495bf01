package io.atoll.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** The storage contract on S3 (s3proxy in this JVM), plus what only S3 has: segments and multipart commits. */
class S3RegistryStorageTest extends RegistryStorageContract {

    private static final int PART = S3RegistryStorage.MIN_PART_SIZE;

    private String bucket;

    @Override
    protected RegistryStorage newStorage() {
        bucket = InJvmS3.newBucket();
        return new S3RegistryStorage(InJvmS3.client(), bucket, "registry", PART);
    }

    @Test
    void smallChunksAcrossPartsCommitAsOneMultipartBlob() throws IOException {
        byte[] content = new byte[2 * PART + 12345];
        new Random(7).nextBytes(content);
        Digest digest = Digest.of(content);
        String id = UUID.randomUUID().toString();
        RepositoryName repo = new RepositoryName("big/app");
        storage.createUpload(id, repo);
        // Uneven chunks, smaller and larger than a part, as clients send them.
        int[] cuts = {0, 1000, 3 * 1024 * 1024, PART + 17, content.length};
        for (int i = 1; i < cuts.length; i++) {
            long size = storage.appendUpload(id, new ByteArrayInputStream(Arrays.copyOfRange(content, cuts[i - 1], cuts[i])));
            assertThat(size).isEqualTo(cuts[i]);
            assertThat(storage.statUpload(id).orElseThrow().size()).isEqualTo(cuts[i]);
        }
        try (InputStream upload = storage.openUpload(id)) {
            assertThat(Digest.of(upload.readAllBytes())).isEqualTo(digest);
        }
        assertThat(storage.statBlob(digest)).isEmpty();

        storage.commitUpload(id, digest);
        assertThat(storage.statBlob(digest)).hasValueSatisfying(b -> assertThat(b.size()).isEqualTo(content.length));
        try (InputStream in = storage.openBlob(digest, PART + 5).orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, PART + 5, content.length));
        }
        try (InputStream in = storage.openBlob(digest, 0).orElseThrow()) {
            assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOf(content, 10)); // closed early: aborted, not drained
        }
        assertThat(storage.statUpload(id)).isEmpty();
        try (S3Client s3 = InJvmS3.client()) {
            assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("registry/uploads/")).contents())
                    .as("segments are removed after the commit").isEmpty();
        }
    }

    @Test
    void aBodyThatBreaksOffKeepsWhatArrived() {
        String id = UUID.randomUUID().toString();
        storage.createUpload(id, new RepositoryName("broken/app"));
        InputStream breaksAfter100 = new InputStream() {
            int sent;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (sent == 100) {
                    throw new IllegalStateException("client went away"); // as MeteredBody reports a broken body
                }
                int n = Math.min(len, 100 - sent);
                sent += n;
                return n;
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> storage.appendUpload(id, breaksAfter100))
                .hasMessageContaining("client went away");
        assertThat(storage.statUpload(id).orElseThrow().size()).isEqualTo(100);
    }
}
