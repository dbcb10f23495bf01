package io.atoll.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atoll.registry.ImageRegistryApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;

class StorageStartupTest {

    @Test
    void theRegistryRefusesToStartOnStorageItCannotWrite(@TempDir Path dir) throws IOException {
        // Tests run as root, which ignores permission bits; a file where a directory must be fails for everyone.
        Path notADirectory = Files.writeString(dir.resolve("occupied"), "x");
        assertThatThrownBy(() -> SpringApplication.run(ImageRegistryApplication.class,
                "--server.port=0", "--spring.profiles.active=dev", "--atoll.registry.storage.root=" + notADirectory))
                .hasRootCauseInstanceOf(java.nio.file.FileSystemException.class)
                .hasStackTraceContaining("cannot create registry storage");
    }

    @Test
    void probeWritesReadsAndDeletes(@TempDir Path dir) throws IOException {
        FilesystemRegistryStorage storage = new FilesystemRegistryStorage(dir);
        storage.verify();
        try (var tmp = Files.list(dir.resolve("tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }
}
