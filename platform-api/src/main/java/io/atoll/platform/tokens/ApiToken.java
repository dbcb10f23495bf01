package io.atoll.platform.tokens;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A personal API token as stored: only the SHA-256 of its value, which is shown once when it is
 * issued. The value has 256 random bits, so a fast hash is enough; a salted slow hash guards
 * passwords people choose, and people do not choose these.
 */
@Table("api_token")
record ApiToken(@Id String id, String userName, String name, String tokenHash, Instant createdAt, Instant expiresAt,
        Instant lastUsedAt, Instant revokedAt, @Version Integer version) {

    ApiToken used(Instant now) {
        return new ApiToken(id, userName, name, tokenHash, createdAt, expiresAt, now, revokedAt, version);
    }

    ApiToken revoked(Instant now) {
        return new ApiToken(id, userName, name, tokenHash, createdAt, expiresAt, lastUsedAt, now, version);
    }

    TokenView view() {
        return new TokenView(id, name, userName, createdAt, expiresAt, lastUsedAt, revokedAt);
    }
}
