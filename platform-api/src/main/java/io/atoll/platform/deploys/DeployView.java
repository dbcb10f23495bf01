package io.atoll.platform.deploys;

import java.time.Instant;
import java.util.List;

/** A deploy as the API shows it, with its steps. */
public record DeployView(String id, String app, String image, int instances, String releaseId, String release,
        String fromRelease, DeployStatus status, String reason, String cause, int maxSurge, int maxUnavailable,
        int minReadySeconds, int progressDeadlineSeconds, Instant createdAt, Instant updatedAt, Instant finishedAt,
        List<Event> events) {

    /** One step. */
    public record Event(long id, Instant at, String kind, String message) {
        static Event of(DeployEvent event) {
            return new Event(event.id(), event.at(), event.kind(), event.message());
        }
    }

    static DeployView of(Deploy deploy, List<DeployEvent> events) {
        return new DeployView(deploy.id(), deploy.app(), deploy.image(), deploy.instances(), deploy.releaseId(),
                label(deploy.releaseId()), label(deploy.fromReleaseId()), deploy.status(), deploy.reason(),
                deploy.cause(), deploy.maxSurge(), deploy.maxUnavailable(), deploy.minReadySeconds(),
                deploy.progressDeadlineSeconds(), deploy.createdAt(), deploy.updatedAt(), deploy.finishedAt(),
                events.stream().map(Event::of).toList());
    }

    /** {@code hello-r3} → {@code v3}. */
    static String label(String releaseId) {
        if (releaseId == null) {
            return null;
        }
        int r = releaseId.lastIndexOf("-r");
        return r < 0 ? releaseId : "v" + releaseId.substring(r + 2);
    }
}
