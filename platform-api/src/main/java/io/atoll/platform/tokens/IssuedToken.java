package io.atoll.platform.tokens;

import java.time.Instant;

/** The answer to {@code POST /api/v1/tokens}: the only time the token's value is shown. */
public record IssuedToken(String id, String name, String user, String token, Instant createdAt, Instant expiresAt) {

    @Override
    public String toString() {
        return "IssuedToken[id=" + id + ", name=" + name + ", user=" + user + ", expiresAt=" + expiresAt + "]";
    }
}
