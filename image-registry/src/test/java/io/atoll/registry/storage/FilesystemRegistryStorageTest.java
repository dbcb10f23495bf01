package io.atoll.registry.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

class FilesystemRegistryStorageTest extends RegistryStorageContract {

    @Override
    protected RegistryStorage newStorage() {
        try {
            return new FilesystemRegistryStorage(Files.createTempDirectory("fs-storage"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
