package io.atoll.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.storage.InJvmS3;
import io.atoll.registry.storage.S3RegistryStorage;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The docker CLI push and pull tests again, with the registry on S3 (s3proxy in this JVM). */
class S3DockerCliPushPullTest extends DockerCliPushPullTest {

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        InJvmS3.registerProperties(registry);
    }

    /** Guards the inherited tests against silently running on the filesystem again. */
    @Test
    void theImagesGoToS3() {
        assertThat(storage).isInstanceOf(S3RegistryStorage.class);
        assertThat(storage.describe()).startsWith("s3://atoll-");
    }
}
