package io.atoll.registry.web;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atoll.registry.ImageRegistryApplication;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;

class WriteBufferStartupTest {

    @Test
    void aWriteBufferThatCouldNeverSendABlobStopsTheStart(@TempDir Path dir) {
        // 0 bytes would read nothing from the blob and never finish the response.
        assertThatThrownBy(() -> SpringApplication.run(ImageRegistryApplication.class, "--server.port=0",
                "--spring.profiles.active=dev", "--atoll.registry.storage.root=" + dir, "--atoll.registry.http.write-buffer=0"))
                .hasStackTraceContaining("atoll.registry.http.write-buffer must be between 1KB and 16MB, not 0B");
    }
}
