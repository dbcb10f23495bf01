package io.atoll.platform.releases;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/**
 * One entry of an app's release ledger (DESIGN §5): v1..vN, immutable once written. A release is
 * everything an instance runs (the image by digest, the config vars, resources, health check and
 * port) plus why it was made (a deploy, a rollback, a config change, a scale) and by whom.
 *
 * @param config the config vars as JSON ({@link ConfigVars}); secret values are stored here and
 *     never leave through the API or the logs
 * @param spec a digest of what an instance runs: two releases with the same spec run the same
 *     instances
 * @param runsReleaseId the first release with this spec: instances carry its id, so that a scale
 *     (a new release, same spec) restarts nothing and canary weights are per spec
 * @param cause {@code deploy}, {@code rollback}, {@code config} or {@code scale}
 * @param causeDetail e.g. {@code rollback to v1}
 */
@Table("app_release")
public record Release(@Id String id, String app, int number, String image, String pinnedImage, String config,
        long memoryMb, long cpuShares, int containerPort, String healthPath, String spec, String runsReleaseId,
        String cause, String causeDetail, String author, Instant createdAt, @Version Integer version) {

    public static String idOf(String app, int number) {
        return app + "-r" + number;
    }

    /** {@code v3}: how users name releases. */
    public String label() {
        return "v" + number;
    }

    public ConfigVars configVars() {
        return ConfigVars.fromJson(config);
    }

    /** The release to run instances of: this one, or the first with the same spec. */
    public String runs() {
        return runsReleaseId == null ? id : runsReleaseId;
    }
}
