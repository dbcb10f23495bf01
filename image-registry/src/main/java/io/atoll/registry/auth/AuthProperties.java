package io.atoll.registry.auth;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code atoll.registry.auth.*}: HTTP Basic users with pull/push rights per repository prefix.
 * The {@code dev} profile turns it off (anonymous full access).
 *
 * @param enabled false: anyone who reaches the port may pull and push
 * @param realm sent in the {@code WWW-Authenticate} challenge
 * @param anonymous what a client without credentials may do
 * @param users by user name
 */
@ConfigurationProperties("atoll.registry.auth")
public record AuthProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("atoll-registry") String realm,
        @DefaultValue Anonymous anonymous,
        Map<String, User> users) {

    public AuthProperties {
        users = users == null ? Map.of() : Map.copyOf(users);
    }

    /** @param pull repository prefixes anyone may pull from without logging in */
    public record Anonymous(@DefaultValue List<String> pull) {
    }

    /**
     * @param passwordHash bcrypt hash ({@code $2a$…}, {@code $2b$…}, {@code $2y$…}), e.g. from {@code htpasswd -nbB}
     * @param pull repository prefixes this user may pull from
     * @param push repository prefixes this user may push to and delete from (implies pull)
     * @param admin may use the actuator beyond health, info and prometheus (metrics, garbage collection)
     */
    public record User(String passwordHash, @DefaultValue List<String> pull, @DefaultValue List<String> push,
            @DefaultValue("false") boolean admin) {
    }
}
