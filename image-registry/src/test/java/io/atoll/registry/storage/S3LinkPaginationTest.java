package io.atoll.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

/**
 * Links beyond one S3 listing page (1000 keys) are all listed, and listing repositories does not
 * page through them: it walks the names with delimiter listings.
 */
class S3LinkPaginationTest {

    @Test
    void moreThanOnePageOfLinksIsListed() {
        String bucket = InJvmS3.newBucket();
        AtomicInteger listings = new AtomicInteger();
        ExecutionInterceptor countListings = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof ListObjectsV2Request) {
                    listings.incrementAndGet();
                }
            }
        };
        S3Client counted = S3Client.builder().endpointOverride(InJvmS3.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(InJvmS3.ACCESS_KEY, InJvmS3.SECRET_KEY)))
                .overrideConfiguration(c -> c.addExecutionInterceptor(countListings)).build();
        try (S3Client raw = InJvmS3.client();
                S3RegistryStorage storage = new S3RegistryStorage(counted, bucket, InJvmS3.PREFIX, S3RegistryStorage.MIN_PART_SIZE)) {
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 1100; i++) {
                RepositoryName repository = new RepositoryName(i % 3 == 2 ? "team/r2" : "r" + (i % 3));
                Digest digest = Digest.of(("blob " + i).getBytes(StandardCharsets.UTF_8));
                storage.linkBlob(repository, digest);
                expected.add(repository + "@" + digest);
            }
            assertThat(raw.listObjectsV2(b -> b.bucket(bucket).prefix(InJvmS3.PREFIX + "repositories/")).isTruncated())
                    .as("the server pages at 1000, so this exercises pagination").isTrue();
            assertThat(storage.listBlobLinks().stream().map(link -> link.repository() + "@" + link.digest()).collect(Collectors.toSet()))
                    .isEqualTo(expected);

            byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
            for (String name : new String[] {"r0", "team/r2", "team"}) {
                storage.writeManifest(new RepositoryName(name), Digest.of(manifest), "application/vnd.oci.image.manifest.v1+json", manifest);
            }
            listings.set(0);
            assertThat(storage.listRepositories()).extracting(RepositoryName::value).containsExactly("r0", "team", "team/r2");
            assertThat(listings.get()).as("one listing per name level, none paging through the links: /, r0/, r1/, team/, team/r2/")
                    .isEqualTo(5);
        }
    }
}
