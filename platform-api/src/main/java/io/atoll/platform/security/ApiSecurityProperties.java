package io.atoll.platform.security;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may use the API. Every call but health, info, metrics for Prometheus and the OpenAPI
 * document needs {@code Authorization: Bearer <token>}: a personal token a directory user got
 * from {@code POST /api/v1/tokens}, or one of the bootstrap {@code apiTokens}. Only
 * {@code anonymousWrites}, which the {@code dev} profile alone sets, lets callers in without one.
 *
 * @param apiTokens bootstrap tokens with admin rights, for a platform's first steps and its own
 *     automation before any directory user has a token (secrets: never logged)
 * @param anonymousWrites let anyone in as an admin; for a one-machine dev setup only
 * @param ldap where users and teams come from
 * @param tokens personal tokens' lifetimes
 */
@ConfigurationProperties("atoll.platform.security")
public record ApiSecurityProperties(List<String> apiTokens, boolean anonymousWrites, @DefaultValue Ldap ldap,
        @DefaultValue Tokens tokens) {

    public ApiSecurityProperties {
        apiTokens = apiTokens == null ? List.of() : apiTokens.stream().filter(t -> t != null && !t.isBlank()).toList();
    }

    /**
     * Users and teams from an LDAP directory, reached through Spring Boot's {@code spring.ldap.*}
     * (urls, base, username and password of an account that may search users and groups), or, in
     * {@code dev}, the embedded directory of {@code spring.ldap.embedded.*}.
     *
     * @param enabled take users from the directory; off, only bootstrap tokens get in
     * @param userSearchBase where users are, relative to {@code spring.ldap.base}
     * @param userSearchFilter finds a user by the name they log in with ({0})
     * @param usernameAttribute the user attribute Atoll records as the user's name (so that
     *     {@code Alice} and {@code alice} are one user in tokens and the audit log)
     * @param groupSearchBase where the groups (teams) are, relative to {@code spring.ldap.base}
     * @param groupSearchFilter finds a user's groups by the user's DN ({0}) or name ({1})
     * @param groupNameAttribute the group attribute that names a team
     * @param adminGroup members of this group are Atoll admins
     */
    public record Ldap(@DefaultValue("false") boolean enabled, @DefaultValue("ou=people") String userSearchBase,
            @DefaultValue("(uid={0})") String userSearchFilter, @DefaultValue("uid") String usernameAttribute,
            @DefaultValue("ou=groups") String groupSearchBase,
            @DefaultValue("(member={0})") String groupSearchFilter, @DefaultValue("cn") String groupNameAttribute,
            @DefaultValue("atoll-admins") String adminGroup) {
    }

    /**
     * @param defaultLifetime a new token's lifetime when the request names none
     * @param maxLifetime the longest lifetime a request may ask for
     */
    public record Tokens(@DefaultValue("30d") Duration defaultLifetime, @DefaultValue("365d") Duration maxLifetime) {
    }

    @Override
    public String toString() {
        return "ApiSecurityProperties[apiTokens=" + apiTokens.size() + " configured, anonymousWrites=" + anonymousWrites
                + ", ldap=" + ldap + ", tokens=" + tokens + "]";
    }
}
