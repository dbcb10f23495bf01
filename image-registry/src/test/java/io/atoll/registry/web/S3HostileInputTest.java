package io.atoll.registry.web;

import io.atoll.registry.storage.InJvmS3;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The hostile-input corpus again with the registry on S3 (s3proxy in this JVM): storage errors must not become 5xx either. */
class S3HostileInputTest extends HostileInputTest {

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        InJvmS3.registerProperties(registry);
    }
}
