package io.atoll.platform.audit;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * One change, or one refused attempt at one: who, what ({@code POST /api/v1/apps/{app}/deploys}),
 * which app, when, the HTTP status it got and the request id. {@code detail} is what the handler
 * chose to say about it (an image, the names of config keys), never a secret value.
 */
@Table("audit_event")
public record AuditEvent(@Id Long id, Instant at, String actor, String action, String app, int outcome,
        String requestId, String detail) {
}
