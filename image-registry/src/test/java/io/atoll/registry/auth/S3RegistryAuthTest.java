package io.atoll.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.storage.InJvmS3;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.registry.storage.S3RegistryStorage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Basic auth, docker login/push and skopeo copy/inspect/list/delete again, with the registry on
 * S3 (s3proxy in this JVM).
 */
class S3RegistryAuthTest extends RegistryAuthTest {

    @Autowired
    RegistryStorage storage;

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        InJvmS3.registerProperties(registry);
    }

    @Test
    void theImagesGoToS3() {
        assertThat(storage).isInstanceOf(S3RegistryStorage.class);
    }
}
