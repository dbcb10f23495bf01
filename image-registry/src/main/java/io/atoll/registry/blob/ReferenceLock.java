package io.atoll.registry.blob;

import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * Keeps whatever adds a reference to a blob apart from whatever decides that a blob is unreferenced
 * and removes it.
 *
 * <p>{@link #adding} (shared, any number at once): a manifest PUT checking its blobs and writing, an
 * upload's commit and link, a mount's check and link. {@link #removing} (exclusive): garbage
 * collection from mark to sweep, a blob DELETE from its check of the repository's manifests to the
 * unlink. So a collection never deletes bytes that were committed, linked or referenced after it
 * looked, and nothing links or references bytes a collection is about to delete.
 *
 * <p>One process only: two registries on one storage do not share it.
 */
@Component
public class ReferenceLock {

    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    /** Runs {@code work}, which adds a link or a reference, while nothing can remove blobs. */
    public <T> T adding(Supplier<T> work) {
        lock.readLock().lock();
        try {
            return work.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs {@code work}, which decides what is unreferenced and removes it, while nothing adds a link or reference. */
    public <T> T removing(Supplier<T> work) {
        lock.writeLock().lock();
        try {
            return work.get();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
