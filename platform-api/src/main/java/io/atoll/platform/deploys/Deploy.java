package io.atoll.platform.deploys;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/** A deploy task and its outcome; {@code reason} says why it failed. */
@Table("deploy")
public record Deploy(@Id String id, String app, String image, int instances, String releaseId, DeployStatus status,
        String reason, Instant createdAt, Instant updatedAt, @Version Integer version) {

    Deploy withStatus(DeployStatus newStatus, String newReason, Instant now) {
        return new Deploy(id, app, image, instances, releaseId, newStatus, newReason, createdAt, now, version);
    }

    Deploy withRelease(String newReleaseId, Instant now) {
        return new Deploy(id, app, image, instances, newReleaseId, status, reason, createdAt, now, version);
    }
}
