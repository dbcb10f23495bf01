package io.atoll.registry.web;

import io.atoll.registry.storage.InJvmS3;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Every Distribution API test again, with the registry on S3 (s3proxy in this JVM) instead of a directory. */
class S3DistributionApiTest extends DistributionApiTest {

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        InJvmS3.registerProperties(registry);
    }
}
