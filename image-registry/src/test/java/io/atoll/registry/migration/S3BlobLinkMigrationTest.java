package io.atoll.registry.migration;

import io.atoll.registry.storage.InJvmS3;
import io.atoll.registry.storage.S3RegistryStorage;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The upgrade from layout 1 on S3 (s3proxy in this JVM): the bucket is filled before the registry starts on it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("dev")
class S3BlobLinkMigrationTest extends BlobLinkMigrationContract {

    @DynamicPropertySource
    static void layoutOneBucket(DynamicPropertyRegistry registry) {
        String bucket = InJvmS3.newBucket();
        try (S3RegistryStorage storage = new S3RegistryStorage(InJvmS3.client(), bucket, InJvmS3.PREFIX,
                S3RegistryStorage.MIN_PART_SIZE)) {
            writeLayoutOne(storage);
        }
        InJvmS3.registerProperties(registry, bucket);
    }
}
