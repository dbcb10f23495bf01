package io.atoll.platform.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;

/** Accepts a bearer token equal to one of the configured API tokens, compared in constant time. */
final class ApiTokenAuthenticationManager implements AuthenticationManager {

    private final List<byte[]> tokens;

    ApiTokenAuthenticationManager(List<String> tokens) {
        this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        byte[] presented = String.valueOf(authentication.getCredentials()).getBytes(StandardCharsets.UTF_8);
        for (byte[] token : tokens) {
            if (MessageDigest.isEqual(token, presented)) {
                return new PreAuthenticatedAuthenticationToken("api-token", null,
                        AuthorityUtils.createAuthorityList("ROLE_WRITER"));
            }
        }
        throw new BadCredentialsException("unknown API token");
    }
}
