package io.atoll.platform.deploys;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A deploy, persisted whole, so that whichever platform-api leads the controllers can step it on
 * after a crash: everything the deploy controller decides from is in this row, the release
 * ledger and the cluster's actual state.
 *
 * @param image the image as asked for (for a rollback or config release: the release's image)
 * @param instances how many instances the new release runs
 * @param releaseId the release being rolled out; null while PENDING for an image not yet pinned
 * @param fromReleaseId the release that served when the deploy began: what a failure rolls back to
 * @param reason why it failed, in the words of the agent that saw it
 * @param cause {@code deploy}, {@code rollback} or {@code config}
 * @param maxSurge instances above {@code instances} allowed while rolling
 * @param maxUnavailable instances below {@code instances} allowed while rolling (0: never less capacity)
 * @param minReadySeconds how long a new instance must stay HEALTHY to count as ready
 * @param progressDeadlineSeconds how long the deploy may take before it fails
 * @param startedAt when it started rolling (RUNNING)
 */
@Table("deploy")
public record Deploy(@Id String id, String app, String image, int instances, String releaseId, String fromReleaseId,
        DeployStatus status, String reason, String cause, String strategy, int maxSurge, int maxUnavailable,
        int minReadySeconds, int progressDeadlineSeconds, int canaryWeight, Long memoryMb, String author,
        Instant createdAt, Instant updatedAt, Instant startedAt, Instant finishedAt, @Version Integer version) {

    public Deploy running(String release, String from, Instant now) {
        return new Deploy(id, app, image, instances, release, from, DeployStatus.RUNNING, reason, cause, strategy,
                maxSurge, maxUnavailable, minReadySeconds, progressDeadlineSeconds, canaryWeight, memoryMb, author,
                createdAt, now, now, finishedAt, version);
    }

    /** A promoted canary rolls on like any deploy, with a fresh deadline. */
    public Deploy promoted(Instant now) {
        return new Deploy(id, app, image, instances, releaseId, fromReleaseId, DeployStatus.RUNNING, reason, cause,
                "rolling", maxSurge, maxUnavailable, minReadySeconds, progressDeadlineSeconds, canaryWeight, memoryMb,
                author, createdAt, now, now, finishedAt, version);
    }

    public boolean canary() {
        return "canary".equals(strategy);
    }

    public Deploy withStatus(DeployStatus next, String why, Instant now) {
        return new Deploy(id, app, image, instances, releaseId, fromReleaseId, next, why == null ? reason : why,
                cause, strategy, maxSurge, maxUnavailable, minReadySeconds, progressDeadlineSeconds, canaryWeight,
                memoryMb, author, createdAt, now, startedAt, next.finished() ? now : finishedAt, version);
    }
}
