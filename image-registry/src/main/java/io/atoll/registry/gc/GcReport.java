package io.atoll.registry.gc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What one collection did.
 *
 * @param blobsScanned committed blobs found in storage
 * @param blobsReferenced of those, how many some manifest needs
 * @param blobsKeptForGrace unreferenced but too recent to collect: committed, or linked into some repository
 *     (uploaded again, mounted), within the grace period
 * @param blobsDeleted unreferenced, older than the grace period, deleted (or would be, in a dry run)
 * @param bytesFreed their total size
 * @param linksRemoved repositories' links to the deleted blobs, and links whose blob was already gone
 * @param deleted their digests (the first {@value GarbageCollector#MAX_LISTED})
 */
public record GcReport(Instant startedAt, Duration took, boolean dryRun, int blobsScanned, int blobsReferenced,
        int blobsKeptForGrace, int blobsDeleted, long bytesFreed, int linksRemoved, List<String> deleted) {
}
