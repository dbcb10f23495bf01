package io.atoll.platform.deploys;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/** One step of a deploy, in order: what the API lists and streams. */
@Table("deploy_event")
public record DeployEvent(@Id Long id, String deployId, Instant at, String kind, String message) {
}
