package io.atoll.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** Links beyond one S3 listing page (1000 keys) are all listed. */
class S3LinkPaginationTest {

    @Test
    void moreThanOnePageOfLinksIsListed() {
        String bucket = InJvmS3.newBucket();
        try (S3Client raw = InJvmS3.client();
                S3RegistryStorage storage = new S3RegistryStorage(InJvmS3.client(), bucket, InJvmS3.PREFIX, S3RegistryStorage.MIN_PART_SIZE)) {
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 1100; i++) {
                RepositoryName repository = new RepositoryName("r" + (i % 3));
                Digest digest = Digest.of(("blob " + i).getBytes(StandardCharsets.UTF_8));
                storage.linkBlob(repository, digest);
                expected.add(repository + "@" + digest);
            }
            assertThat(raw.listObjectsV2(b -> b.bucket(bucket).prefix(InJvmS3.PREFIX + "repositories/")).isTruncated())
                    .as("the server pages at 1000, so this exercises pagination").isTrue();
            assertThat(storage.listBlobLinks().stream().map(link -> link.repository() + "@" + link.digest()).collect(Collectors.toSet()))
                    .isEqualTo(expected);
        }
    }
}
