package io.atoll.build.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.FileSystemUtils;

/**
 * The persistent caches of layered Spring Boot images, under the registry's {@code cache-dir}:
 * <ul>
 * <li>{@code exploded/<key>/}: one {@link BootJar.Layer}'s files, in a directory named by the
 * layer's content key ({@link BootJar}), written once (into a temporary directory, then renamed)
 * and never changed afterwards; a jar with the same layer reuses it without extracting again.
 * <li>{@code exploded-layers/}: jib's application-layer cache for the images made of those
 * directories. jib keys a cached layer by its files' paths and times alone; that is safe here,
 * and only here, because a path under {@code exploded/} always holds the same content: so an
 * unchanged dependency layer is neither tarred nor compressed again, and jib only asks the
 * registry whether it has the blob.
 * </ul>
 *
 * <p>Bounded by age: an exploded directory is dated each time an assembly uses it, and one not
 * used for {@code cache-retention}, like a jib layer written longer ago than that, is deleted (at
 * most once an hour, when an assembly starts and no other is running). Each is first renamed
 * away, so that a crash leaves no half-deleted layer to be taken for a whole one. One
 * build-service per {@code cache-dir}: the lock is in this process.
 */
final class ExplodedLayers {

    private static final Logger log = LoggerFactory.getLogger(ExplodedLayers.class);
    private static final Duration PRUNE_EVERY = Duration.ofHours(1);
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");

    private final Path exploded;
    private final Path jibCache;
    private final Duration retention;
    // assemblies share it; a prune takes it alone, so it never deletes a directory an image is being made of
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile Instant lastPrune = Instant.MIN;

    ExplodedLayers(Path cacheDir, Duration retention) {
        this.exploded = cacheDir.resolve("exploded");
        this.jibCache = cacheDir.resolve("exploded-layers");
        this.retention = retention;
    }

    /** jib's application-layer cache for images made only of {@link #directory} layers. */
    Path jibCache() {
        return jibCache;
    }

    /** Holds off pruning while an image is made; close it when the image is pushed. */
    Use use() {
        pruneIfDue();
        lock.readLock().lock();
        return lock.readLock()::unlock;
    }

    interface Use extends AutoCloseable {
        @Override
        void close();
    }

    /** The directory that holds the layer's files, extracted from the jar now if no earlier jar had the same. */
    Path directory(BootJar jar, BootJar.Layer layer) throws IOException, ImageException {
        Path directory = exploded.resolve(layer.key());
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(exploded);
            Path temporary = Files.createTempDirectory(exploded, "tmp-");
            try {
                jar.extract(layer, temporary);
                Files.move(temporary, directory, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // another assembly of the same layer renamed its copy first: that one is as good
                if (!Files.isDirectory(directory)) {
                    throw e;
                }
            } finally {
                FileSystemUtils.deleteRecursively(temporary);
            }
        }
        Files.setLastModifiedTime(directory, FileTime.from(Instant.now()));
        return directory;
    }

    private void pruneIfDue() {
        Instant now = Instant.now();
        if (lastPrune.plus(PRUNE_EVERY).isAfter(now) || !lock.writeLock().tryLock()) {
            return;
        }
        try {
            lastPrune = now;
            prune(now.minus(retention));
        } catch (IOException e) {
            log.warn("pruning {} failed; the next assembly tries again in an hour: {}", exploded.getParent(), e.toString());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Deletes what is older than {@code cutoff}, and what a crashed assembly or prune left. */
    void prune(Instant cutoff) throws IOException {
        int removed = 0;
        for (Path entry : list(exploded)) {
            boolean layer = KEY.matcher(entry.getFileName().toString()).matches();
            // under the write lock no assembly is extracting: any other name is a leftover
            if (!layer || olderThan(entry, cutoff)) {
                remove(entry);
                removed++;
            }
        }
        // jib's own layout (jib-core 0.28): selectors/<selector> names a layers/<digest>/ directory. A
        // selector whose layer is gone is a cache miss, so selectors go first; a layer directory left
        // half-deleted would be an error to jib, so it is renamed away before it is deleted.
        for (Path selector : list(jibCache.resolve("selectors"))) {
            if (olderThan(selector, cutoff)) {
                Files.deleteIfExists(selector);
                removed++;
            }
        }
        for (Path layer : list(jibCache.resolve("layers"))) {
            if (olderThan(layer, cutoff)) {
                remove(layer);
                removed++;
            }
        }
        if (removed > 0) {
            log.info("pruned {} exploded layers and jib layer cache entries not used since {}", removed, cutoff);
        }
    }

    private void remove(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Files.createDirectories(exploded);
            Path away = exploded.resolve("removing-" + UUID.randomUUID());
            Files.move(path, away, StandardCopyOption.ATOMIC_MOVE);
            path = away;
        }
        FileSystemUtils.deleteRecursively(path);
    }

    private static boolean olderThan(Path path, Instant cutoff) throws IOException {
        return Files.getLastModifiedTime(path).toInstant().isBefore(cutoff);
    }

    private static List<Path> list(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.toList();
        }
    }
}
