package io.atoll.registry.warmup;

import io.atoll.registry.storage.InJvmS3;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The warm-up again with the registry on S3 (s3proxy in this JVM): nothing left in the bucket either. */
class S3RegistryWarmupTest extends RegistryWarmupTest {

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        InJvmS3.registerProperties(registry);
    }
}
