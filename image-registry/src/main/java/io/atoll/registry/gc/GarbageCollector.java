package io.atoll.registry.gc;

import io.atoll.registry.manifest.ManifestService;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.registry.storage.RegistryStorage.BlobEntry;
import io.atoll.registry.storage.RegistryStorage.BlobLink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * Mark and sweep over blobs: every blob that no manifest in any repository references (blob
 * bytes are shared by all repositories), that was committed longer ago than the grace period and
 * that no repository linked within the grace period is deleted, and with it every repository's
 * link to it. Beyond the grace period links keep nothing alive. A link
 * whose blob is gone (a crash between the two deletions) is removed too, so that a later upload
 * of the same bytes elsewhere cannot reappear through it. Manifests are never collected; delete
 * them through the API to free their blobs.
 *
 * <p>Links are listed before blobs: a blob is committed before its link is written, so a link in
 * the first listing whose blob is missing from the second is truly dangling, never an upload
 * that completed in between.
 *
 * <p>Mark and sweep run with references frozen ({@link ManifestService#withReferencesFrozen}): a
 * manifest PUT, the commit and link that end an upload, and a mount wait for the collection rather
 * than racing it, so a blob uploaded again or mounted after the listing is never deleted under
 * its new link. Uploads in progress (POST, PATCH) carry on.
 */
@Service
public class GarbageCollector {

    static final int MAX_LISTED = 1000;
    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    private final RegistryStorage storage;
    private final ManifestService manifests;
    private final Duration gracePeriod;
    private final Clock clock;
    private final Counter blobsDeleted;
    private final Counter bytesFreed;
    private final AtomicReference<GcReport> last = new AtomicReference<>();

    @Autowired
    public GarbageCollector(RegistryStorage storage, ManifestService manifests, GcProperties properties, MeterRegistry meters) {
        this(storage, manifests, properties.gracePeriod(), Clock.systemUTC(), meters);
    }

    GarbageCollector(RegistryStorage storage, ManifestService manifests, Duration gracePeriod, Clock clock, MeterRegistry meters) {
        this.storage = storage;
        this.manifests = manifests;
        this.gracePeriod = gracePeriod;
        this.clock = clock;
        this.blobsDeleted = Counter.builder("atoll.registry.gc.blobs.deleted")
                .description("blobs deleted by garbage collection").register(meters);
        this.bytesFreed = Counter.builder("atoll.registry.gc.freed").baseUnit("bytes")
                .description("bytes freed by garbage collection").register(meters);
    }

    /** Runs one collection now; {@code dryRun} reports what would go and deletes nothing. */
    public synchronized GcReport collect(boolean dryRun) {
        Instant started = clock.instant();
        GcReport report = manifests.withReferencesFrozen(() -> sweep(started, dryRun));
        last.set(report);
        log.info("registry gc{}: {} blobs scanned, {} referenced, {} kept for the grace period, {} deleted, {} bytes freed, "
                + "{} blob links removed in {} ms", dryRun ? " (dry run)" : "", report.blobsScanned(), report.blobsReferenced(),
                report.blobsKeptForGrace(), report.blobsDeleted(), report.bytesFreed(), report.linksRemoved(), report.took().toMillis());
        return report;
    }

    /** The last collection's report, or null before the first. */
    public GcReport lastReport() {
        return last.get();
    }

    private GcReport sweep(Instant started, boolean dryRun) {
        Set<Digest> referenced = manifests.referencedBlobs().keySet();
        Instant cutoff = started.minus(gracePeriod);
        Map<Digest, List<RepositoryName>> links = new HashMap<>();
        Set<Digest> linkedRecently = new HashSet<>();
        for (BlobLink link : storage.listBlobLinks()) {
            links.computeIfAbsent(link.digest(), digest -> new ArrayList<>()).add(link.repository());
            if (link.linkedAt().isAfter(cutoff)) {
                linkedRecently.add(link.digest());
            }
        }
        Set<Digest> present = new HashSet<>();
        int unlinked = 0;
        int scanned = 0;
        int live = 0;
        int young = 0;
        int deleted = 0;
        long freed = 0;
        List<String> listed = new ArrayList<>();
        for (BlobEntry blob : storage.listBlobs()) {
            scanned++;
            present.add(blob.digest());
            if (referenced.contains(blob.digest())) {
                live++;
            } else if (blob.lastModified().isAfter(cutoff) || linkedRecently.contains(blob.digest())) {
                // Committed, uploaded again or mounted within the grace period: its manifest may be on its way.
                young++;
            } else if (dryRun || storage.deleteBlob(blob.digest())) {
                deleted++;
                freed += blob.size();
                if (listed.size() < MAX_LISTED) {
                    listed.add(blob.digest().toString());
                }
                if (!dryRun) {
                    blobsDeleted.increment();
                    bytesFreed.increment(blob.size());
                }
                unlinked += unlink(blob.digest(), links.getOrDefault(blob.digest(), List.of()), dryRun);
            }
        }
        for (Map.Entry<Digest, List<RepositoryName>> dangling : links.entrySet()) {
            if (!present.contains(dangling.getKey())) {
                unlinked += unlink(dangling.getKey(), dangling.getValue(), dryRun);
            }
        }
        return new GcReport(started, Duration.between(started, clock.instant()), dryRun, scanned, live, young, deleted, freed,
                unlinked, List.copyOf(listed));
    }

    private int unlink(Digest digest, List<RepositoryName> repositories, boolean dryRun) {
        int removed = 0;
        for (RepositoryName repository : repositories) {
            if (dryRun || storage.unlinkBlob(repository, digest)) {
                removed++;
            }
        }
        return removed;
    }
}
