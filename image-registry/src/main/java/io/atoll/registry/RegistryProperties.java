package io.atoll.registry;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code atoll.registry.*}.
 *
 * @param storage where blobs, manifests and uploads live
 * @param uploads how long an unfinished upload may sit before it is purged
 * @param maxManifestSize manifests larger than this are refused (the spec asks registries to take at least 4 MiB)
 */
@ConfigurationProperties("atoll.registry")
public record RegistryProperties(
        @DefaultValue Storage storage,
        @DefaultValue Uploads uploads,
        @DefaultValue("4194304") long maxManifestSize) {

    /** @param root directory of the filesystem backend; created if missing */
    public record Storage(@DefaultValue("./data/registry") Path root) {
    }

    /**
     * @param maxAge an upload untouched for this long is deleted
     * @param purgeInterval how often abandoned uploads are looked for
     */
    public record Uploads(@DefaultValue("24h") Duration maxAge, @DefaultValue("1h") Duration purgeInterval) {
    }
}
