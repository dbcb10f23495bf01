package io.atoll.platform.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;

/**
 * Turns what a caller presented into an {@link AtollUser}: a bearer token (a bootstrap token
 * from configuration, compared in constant time, or a personal token) or, where a password is
 * accepted, a directory username and password.
 */
final class Credentials {

    private final List<byte[]> bootstrap;
    private final ObjectProvider<PersonalTokens> personal;
    private final Directory directory;

    Credentials(List<String> bootstrap, ObjectProvider<PersonalTokens> personal, Directory directory) {
        this.bootstrap = bootstrap.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
        this.personal = personal;
        this.directory = directory;
    }

    /** Accepts {@code PreAuthenticatedAuthenticationToken(_, token)}. */
    AuthenticationManager bearer() {
        return presented -> {
            String token = String.valueOf(presented.getCredentials());
            AtollUser user = user(token);
            return new PreAuthenticatedAuthenticationToken(user, null, user.authorities());
        };
    }

    /** Accepts {@code UsernamePasswordAuthenticationToken(username, password)}. */
    AuthenticationManager password() {
        return presented -> {
            AtollUser user = directory.authenticate(presented.getName(), String.valueOf(presented.getCredentials()));
            return UsernamePasswordAuthenticationToken.authenticated(user, null, user.authorities());
        };
    }

    private AtollUser user(String token) {
        byte[] presented = token.getBytes(StandardCharsets.UTF_8);
        boolean known = false;
        for (byte[] candidate : bootstrap) {
            known |= MessageDigest.isEqual(candidate, presented);
        }
        if (known) {
            return AtollUser.bootstrap();
        }
        PersonalTokens tokens = personal.getIfAvailable();
        if (tokens != null && tokens.looksLikeOne(token)) {
            return tokens.authenticate(token);
        }
        throw new BadCredentialsException("the API token is not valid");
    }
}
