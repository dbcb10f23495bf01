package io.atoll.registry.migration;

import io.atoll.registry.manifest.ManifestService;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage;
import java.time.Duration;
import java.time.Instant;
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
 * written only when every repository is done.
 *
 * <p>Only the web application migrates: the offline {@code gc} command (no web server) leaves
 * the storage's layout alone, and a {@code gc --dry-run} writes nothing at all.
 */
@Component
@ConditionalOnWebApplication
public class BlobLinkMigration implements InitializingBean {

    static final int LINKED_LAYOUT = 2;
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
        int repositories = 0;
        int links = 0;
        for (RepositoryName repository : storage.listRepositories()) {
            repositories++;
            for (Digest blob : manifests.referencedBlobs(repository)) {
                if (storage.statBlob(blob).isPresent()) {
                    storage.linkBlob(repository, blob);
                    links++;
                }
            }
        }
        storage.writeLayoutVersion(LINKED_LAYOUT);
        log.info("registry storage {} upgraded to layout {}: {} blob links written for the manifests of {} repositories in {} ms",
                storage.describe(), LINKED_LAYOUT, links, repositories, Duration.between(started, Instant.now()).toMillis());
        return links;
    }
}
