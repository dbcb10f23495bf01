package io.atoll.platform.tokens;

import io.atoll.platform.security.ApiSecurityProperties;
import io.atoll.platform.security.AtollUser;
import io.atoll.platform.security.Directory;
import io.atoll.platform.security.PersonalTokens;
import io.atoll.platform.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.CredentialsExpiredException;
import org.springframework.stereotype.Service;

/**
 * Personal API tokens: issued to a directory user who logged in with their password, stored as a
 * hash, listed without their value, revoked by their owner or an admin, and refused once expired.
 */
@Service
public class TokenService implements PersonalTokens {

    /** Marks Atoll tokens, so that secret scanners (and people) recognise one that leaked. */
    static final String PREFIX = "atoll_";
    /** A use is recorded at most this often per token: not a write on every call. */
    private static final Duration USE_RESOLUTION = Duration.ofMinutes(1);

    private final ApiTokenRepository tokens;
    private final Directory directory;
    private final ApiSecurityProperties.Tokens lifetimes;
    private final SecureRandom random = new SecureRandom();
    private final Clock clock = Clock.systemUTC();

    TokenService(ApiTokenRepository tokens, Directory directory, ApiSecurityProperties properties) {
        this.tokens = tokens;
        this.directory = directory;
        this.lifetimes = properties.tokens();
    }

    public IssuedToken issue(AtollUser user, CreateTokenRequest request) {
        if (!user.withPassword()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "Forbidden",
                    "a personal token is issued to a directory user for their password: send 'Authorization: Basic'"
                            + " with your directory username and password, not a token");
        }
        Duration lifetime = lifetimes.defaultLifetime();
        if (request != null && request.expiresInDays() != null) {
            lifetime = Duration.ofDays(request.expiresInDays());
            if (lifetime.compareTo(lifetimes.maxLifetime()) > 0) {
                throw ApiException.invalid(List.of("expiresInDays: at most " + lifetimes.maxLifetime().toDays()));
            }
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String value = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        String name = request == null || request.name() == null ? "token" : request.name();
        ApiToken token = tokens.save(new ApiToken(UUID.randomUUID().toString(), user.name(), name, hash(value), now,
                now.plus(lifetime), null, null, null));
        return new IssuedToken(token.id(), token.name(), token.userName(), value, token.createdAt(), token.expiresAt());
    }

    /** The caller's tokens, or everyone's for an admin who asks for all. */
    public List<TokenView> list(AtollUser user, boolean all) {
        if (all && !user.admin()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "Forbidden", "only admins list everyone's tokens");
        }
        return (all ? tokens.findAllNewestFirst() : tokens.findByUser(user.name())).stream().map(ApiToken::view)
                .toList();
    }

    /** Revokes one of the caller's tokens (an admin: anyone's); revoking twice is the same as once. */
    public void revoke(AtollUser user, String id) {
        ApiToken token = tokens.findById(id).filter(t -> user.admin() || t.userName().equals(user.name()))
                .orElseThrow(() -> ApiException.notFound("Token", id));
        tokens.revoke(token.id(), clock.instant());
    }

    @Override
    public boolean looksLikeOne(String value) {
        return value.startsWith(PREFIX);
    }

    @Override
    public AtollUser authenticate(String value) {
        ApiToken token = tokens.findByTokenHash(hash(value))
                .orElseThrow(() -> new BadCredentialsException("the API token is not valid"));
        Instant now = clock.instant();
        if (token.revokedAt() != null) {
            throw new BadCredentialsException("the API token was revoked");
        }
        if (!now.isBefore(token.expiresAt())) {
            throw new CredentialsExpiredException("the API token expired at " + token.expiresAt()
                    + ": get a new one with POST /api/v1/tokens");
        }
        AtollUser user = directory.find(token.userName(), "token:" + token.id())
                .orElseThrow(() -> new BadCredentialsException("the API token's user is no longer in the directory"));
        if (token.lastUsedAt() == null || token.lastUsedAt().plus(USE_RESOLUTION).isBefore(now)) {
            tokens.markUsed(token.id(), now);
        }
        return user;
    }

    static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
