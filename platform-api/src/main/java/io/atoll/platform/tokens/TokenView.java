package io.atoll.platform.tokens;

import java.time.Instant;

/** A token as listed: never its value. */
public record TokenView(String id, String name, String user, Instant createdAt, Instant expiresAt, Instant lastUsedAt,
        Instant revokedAt) {
}
