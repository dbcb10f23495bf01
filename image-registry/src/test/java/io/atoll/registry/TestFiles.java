package io.atoll.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Scratch space and content for the registry's tests. */
public final class TestFiles {

    private TestFiles() {
    }

    /** A new, empty temporary directory whose name starts with {@code prefix}. */
    public static Path freshDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A storage root that does not exist yet, inside a fresh temporary directory: the registry
     * creates it, as on a first start.
     */
    public static Path freshStorageRoot(String prefix) {
        return freshDirectory(prefix).resolve("storage");
    }

    /** Random, so incompressible and unique per call. */
    public static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random().nextBytes(bytes);
        return bytes;
    }
}
