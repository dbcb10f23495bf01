package io.atoll.build.record;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/**
 * One build's record. Written whole once (QUEUED); after that only {@link BuildRepository}'s
 * conditional updates change it, each from one status to the next.
 *
 * @param sourceKind {@code git} (repository + ref) or {@code upload}
 * @param currentStep the step running now; kept so that a restart can say where a build stopped
 * @param failedStep the step that failed, for FAILED builds
 * @param triggerKind {@code manual}, {@code github}, {@code gitlab} or {@code generic}
 * @param triggeredBy the user or the pusher the webhook named
 * @param deliveryId the webhook's delivery id
 */
@Table("build")
public record Build(@Id String id, String app, String sourceKind, String repository, String ref, String commitSha,
        BuildStatus status, String currentStep, String failedStep, String reason, String imageDigest,
        String triggerKind, String triggeredBy, String deliveryId, String supersededBy, Instant createdAt,
        Instant startedAt, Instant finishedAt, @Version Integer version) {
}
