package io.atoll.platform.security;

import org.springframework.security.core.AuthenticationException;

/** Checks a personal token a directory user was issued (the tokens feature implements it). */
public interface PersonalTokens {

    /** Whether the value has the shape of a personal token (else it can only be a bootstrap token). */
    boolean looksLikeOne(String value);

    /**
     * The token's user as the directory knows them now.
     *
     * @throws AuthenticationException unknown, revoked or expired token, or a user gone from the directory
     */
    AtollUser authenticate(String value);
}
