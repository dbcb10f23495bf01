package io.atoll.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.storage.InJvmS3;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.registry.storage.S3RegistryStorage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** jib's push and docker's pull again, with the registry on S3 (s3proxy in this JVM). */
class S3JibPushTest extends JibPushTest {

    @Autowired
    RegistryStorage storage;

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        InJvmS3.registerProperties(registry);
    }

    @Test
    void theImageGoesToS3() {
        assertThat(storage).isInstanceOf(S3RegistryStorage.class);
    }
}
