package io.atoll.registry.auth;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.RegistryException;
import io.atoll.registry.oci.RepositoryName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Authenticates HTTP Basic credentials against the configured users and decides pull/push per
 * repository. Refusals are spec errors: {@code UNAUTHORIZED} (401, the web layer adds the
 * challenge) when logging in could help, {@code DENIED} (403) when the user is known but lacks
 * the right. Passwords and Authorization headers are never logged.
 */
@Component
public class RegistryAccess {

    private static final Logger log = LoggerFactory.getLogger(RegistryAccess.class);
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");

    private final boolean enabled;
    private final String realm;
    private final RepositoryPrefixes anonymousPull;
    private final Map<String, Grant> users = new HashMap<>();
    private final BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder();
    /**
     * Docker sends the password with every request, and a bcrypt check costs tens of
     * milliseconds of CPU by design; a push is dozens of requests. So a password bcrypt has
     * accepted once is remembered as a salted SHA-256 for the life of the process.
     */
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();
    private final byte[] salt = new byte[32];
    /** The start-up warm-up's own login while it runs (see {@link #grantPrivately}); null otherwise. */
    private volatile PrivateGrant privateGrant;

    public RegistryAccess(AuthProperties properties) {
        this.enabled = properties.enabled();
        this.realm = properties.realm();
        this.anonymousPull = new RepositoryPrefixes(properties.anonymous().pull());
        properties.users().forEach((name, user) -> {
            if (user == null || user.passwordHash() == null || !BCRYPT.matcher(user.passwordHash()).matches()) {
                throw new IllegalStateException("atoll.registry.auth.users." + name + ".password-hash must be a bcrypt hash");
            }
            users.put(name, new Grant(user.passwordHash(), new RepositoryPrefixes(user.pull()), new RepositoryPrefixes(user.push()),
                    user.admin()));
        });
        if (enabled && users.isEmpty() && anonymousPull.isEmpty()) {
            throw new IllegalStateException("atoll.registry.auth is enabled but grants nothing: configure "
                    + "atoll.registry.auth.users (or anonymous.pull), or run with the dev profile for anonymous access");
        }
        new SecureRandom().nextBytes(salt);
        if (enabled) {
            log.info("registry auth: HTTP Basic, realm {}, {} users, anonymous pull from {}", realm, users.size(),
                    anonymousPull.prefixes());
        } else {
            log.warn("registry auth is OFF: every client may pull, push and delete");
        }
    }

    public boolean enabled() {
        return enabled;
    }

    public String realm() {
        return realm;
    }

    /** The request's identity; bad or malformed credentials are refused here, whatever the request. */
    public Identity authenticate(String authorization) {
        if (!enabled || authorization == null || authorization.isBlank()) {
            return Identity.ANONYMOUS;
        }
        String[] scheme = authorization.trim().split(" +", 2);
        if (scheme.length != 2 || !scheme[0].equalsIgnoreCase("Basic")) {
            throw unauthorized("only HTTP Basic credentials are accepted");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(scheme[1].trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw unauthorized("malformed Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw unauthorized("malformed Basic credentials");
        }
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        PrivateGrant only = privateGrant;
        if (only != null && only.user().equals(user)) {
            if (!MessageDigest.isEqual(only.fingerprint(), fingerprint(password))) {
                throw unauthorized("invalid username or password");
            }
            return new Identity(user);
        }
        Grant grant = users.get(user);
        if (grant == null || !passwordMatches(user, grant, password)) {
            log.debug("registry login refused for user {}", user);
            throw unauthorized("invalid username or password");
        }
        return new Identity(user);
    }

    /** The ping ({@code /v2/}) is how clients discover the challenge, so it demands a login. */
    public void requireLogin(Identity who) {
        if (enabled && who.anonymous()) {
            throw unauthorized("authentication required");
        }
    }

    /** Operating the registry (metrics, garbage collection) is for users marked {@code admin}. */
    public void requireAdmin(Identity who) {
        if (!enabled) {
            return;
        }
        if (who.anonymous()) {
            throw unauthorized("authentication required");
        }
        Grant grant = users.get(who.user());
        if (grant == null || !grant.admin()) {
            throw new RegistryException(ErrorCode.DENIED, "requested access to the resource is denied");
        }
    }

    public void authorize(Identity who, RepositoryName repository, Action action) {
        if (allowed(who, repository, action)) {
            return;
        }
        Map<String, String> detail = Map.of("name", repository.value(), "action", action.name().toLowerCase());
        if (who.anonymous()) {
            throw new RegistryException(ErrorCode.UNAUTHORIZED, "authentication required", detail);
        }
        throw new RegistryException(ErrorCode.DENIED, "requested access to the resource is denied", detail);
    }

    public boolean allowed(Identity who, RepositoryName repository, Action action) {
        if (!enabled) {
            return true;
        }
        if (who.anonymous()) {
            return action == Action.PULL && anonymousPull.matches(repository);
        }
        PrivateGrant only = privateGrant;
        if (only != null && only.user().equals(who.user())) {
            return only.repository().equals(repository);
        }
        Grant grant = users.get(who.user());
        if (grant == null) {
            return false;
        }
        // Push implies pull: docker checks with HEAD which blobs a repository already has before pushing them.
        return grant.push().matches(repository)
                || action == Action.PULL && (grant.pull().matches(repository) || anonymousPull.matches(repository));
    }

    /**
     * Lets one login, not among the configured users, push and pull in one repository until
     * {@link #revokePrivately}: the start-up warm-up's, whose user name and password are random
     * per start and never logged. Without bcrypt, as nothing stores its hash.
     */
    public void grantPrivately(String user, String password, RepositoryName repository) {
        if (users.containsKey(user)) {
            throw new IllegalArgumentException("a private login must not be a configured user");
        }
        privateGrant = new PrivateGrant(user, fingerprint(password), repository);
    }

    /** The private login is refused from now on, as any unknown user. */
    public void revokePrivately() {
        privateGrant = null;
    }

    private boolean passwordMatches(String user, Grant grant, String password) {
        byte[] presented = fingerprint(password);
        byte[] known = verified.get(user);
        if (known != null && MessageDigest.isEqual(known, presented)) {
            return true;
        }
        if (bcrypt.matches(password, grant.passwordHash())) {
            verified.put(user, presented);
            return true;
        }
        return false;
    }

    private byte[] fingerprint(String password) {
        MessageDigest sha = Digest.newHasher();
        sha.update(salt);
        return sha.digest(password.getBytes(StandardCharsets.UTF_8));
    }

    private static RegistryException unauthorized(String message) {
        return new RegistryException(ErrorCode.UNAUTHORIZED, message);
    }

    private record PrivateGrant(String user, byte[] fingerprint, RepositoryName repository) {
    }

    private record Grant(String passwordHash, RepositoryPrefixes pull, RepositoryPrefixes push, boolean admin) {
    }
}
