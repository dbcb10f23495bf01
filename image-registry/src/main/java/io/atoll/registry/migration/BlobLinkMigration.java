package io.atoll.registry.migration;

import io.atoll.registry.manifest.ManifestService;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.registry.storage.RegistryStorage.BlobLink;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

/**
 * Brings storage written before blobs were linked per repository (layout 1) up to layout 2, once,
 * before the server listens: every repository gets a link to each blob its manifests reference,
 * so every image pushed before the upgrade still pulls. Blobs that no manifest referenced (an
 * upload whose manifest never came) are linked nowhere, because the old layout did not record
 * where they were uploaded; a client that needs one uploads it again (docker checks with a HEAD
 * first), and garbage collection removes the old copy if nothing references it.
 *
 * <p>Idempotent, so a crash half-way just runs it again at the next start; the version is
 * written only when every repository is done. Blobs and existing links are listed once each,
 * every manifest is read once, and only missing links are written (a run after a crash skips the
 * ones the first run wrote); progress is logged every {@value #PROGRESS_EVERY} repositories.
 *
 * <p>Only the web application migrates: the offline {@code gc} command (no web server) leaves
 * the storage's layout alone, and a {@code gc --dry-run} writes nothing at all.
 */
@Component
@ConditionalOnWebApplication
public class BlobLinkMigration implements InitializingBean {

    static final int LINKED_LAYOUT = 2;
    static final int PROGRESS_EVERY = 100;
    private static final Logger log = LoggerFactory.getLogger(BlobLinkMigration.class);

    private final RegistryStorage storage;
    private final ManifestService manifests;

    public BlobLinkMigration(RegistryStorage storage, ManifestService manifests) {
        this.storage = storage;
        this.manifests = manifests;
    }

    @Override
    public void afterPropertiesSet() {
        migrate();
    }

    /** @return how many links were written (0 when the storage was already at layout 2) */
    public int migrate() {
        if (storage.layoutVersion() >= LINKED_LAYOUT) {
            return 0;
        }
        Instant started = Instant.now();
        // One listing each, not a request per repository and blob: on S3 that is what makes the upgrade take minutes, not hours.
        Set<Digest> blobs = new HashSet<>();
        storage.listBlobs().forEach(blob -> blobs.add(blob.digest()));
        Map<RepositoryName, Set<Digest>> linked = new HashMap<>();
        for (BlobLink link : storage.listBlobLinks()) {
            linked.computeIfAbsent(link.repository(), repository -> new HashSet<>()).add(link.digest());
        }
        List<RepositoryName> repositories = storage.listRepositories();
        log.info("registry storage {} is at layout 1: linking the blobs of {} repositories ({} blobs, {} links already there)",
                storage.describe(), repositories.size(), blobs.size(), linked.values().stream().mapToInt(Set::size).sum());
        int done = 0;
        int written = 0;
        int present = 0;
        for (RepositoryName repository : repositories) {
            Set<Digest> has = linked.getOrDefault(repository, Set.of());
            for (Digest blob : manifests.referencedBlobs(repository)) {
                if (has.contains(blob)) {
                    present++; // a migration that crashed half-way got this far
                } else if (blobs.contains(blob)) {
                    storage.linkBlob(repository, blob);
                    written++;
                }
            }
            done++;
            if (done % PROGRESS_EVERY == 0 && done < repositories.size()) {
                log.info("layout 2 migration: {} of {} repositories, {} blob links written in {} s", done, repositories.size(),
                        written, Duration.between(started, Instant.now()).toSeconds());
            }
        }
        storage.writeLayoutVersion(LINKED_LAYOUT);
        log.info("registry storage {} upgraded to layout {}: {} blob links written ({} already there) for the manifests of {} "
                + "repositories in {} ms", storage.describe(), LINKED_LAYOUT, written, present, repositories.size(),
                Duration.between(started, Instant.now()).toMillis());
        return written;
    }
}
