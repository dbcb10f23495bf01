package io.atoll.platform.web;

import org.springframework.security.core.Authentication;

/** Who made a change, as the release ledger and deploys record it. */
public final class Authors {

    private Authors() {
    }

    public static String of(Authentication authentication) {
        if (authentication == null || !authentication.isAuthenticated() || authentication.getName() == null
                || authentication instanceof org.springframework.security.authentication.AnonymousAuthenticationToken) {
            return "anonymous";
        }
        return authentication.getName();
    }
}
