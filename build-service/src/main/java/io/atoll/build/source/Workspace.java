package io.atoll.build.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.util.FileUtils;

/**
 * A fresh directory holding one build's source, deleted by {@link #close()} when the build ends.
 *
 * @param directory the checkout or the unpacked upload
 * @param revision the exact commit id checked out, or {@code sha256:<hex>} of an uploaded tarball
 */
public record Workspace(Path directory, String revision) implements AutoCloseable {

    static Path create(Path root) throws IOException {
        Files.createDirectories(root);
        return Files.createTempDirectory(root, "src-");
    }

    static void delete(Path directory) {
        try {
            FileUtils.delete(directory.toFile(), FileUtils.RECURSIVE | FileUtils.SKIP_MISSING | FileUtils.RETRY);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete workspace " + directory, e);
        }
    }

    /**
     * The revision as a build records it and tags its image: the commit id, or an upload's sha256
     * in hex (a tag may not hold {@code :}).
     */
    public String commit() {
        return revision.startsWith("sha256:") ? revision.substring("sha256:".length()) : revision;
    }

    @Override
    public void close() {
        delete(directory);
    }
}
