package io.atoll.platform.deploys;

import java.time.Instant;

public record DeployView(String id, String app, String image, int instances, String releaseId, DeployStatus status,
        String reason, Instant createdAt, Instant updatedAt) {

    static DeployView of(Deploy deploy) {
        return new DeployView(deploy.id(), deploy.app(), deploy.image(), deploy.instances(), deploy.releaseId(),
                deploy.status(), deploy.reason(), deploy.createdAt(), deploy.updatedAt());
    }
}
