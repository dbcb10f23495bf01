package io.atoll.platform.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.security.core.AuthenticatedPrincipal;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Who is calling, as every permission check sees it: a directory user with the teams (LDAP groups)
 * they belong to, a bootstrap token from configuration, or dev's anonymous caller.
 *
 * @param name the directory user name, {@code bootstrap} or {@code anonymous}
 * @param teams the names of the caller's LDAP groups, lower case
 * @param admin member of the admin group, a bootstrap token, or dev's anonymous caller
 * @param via how the caller proved it: {@code password}, {@code token:<id>}, {@code bootstrap-token},
 *     {@code anonymous}
 */
public record AtollUser(String name, Set<String> teams, boolean admin, String via)
        implements AuthenticatedPrincipal, java.io.Serializable {

    public static final String ADMIN_ROLE = "ROLE_ADMIN";
    /** The request attribute naming who made the call, or tried to, for the audit log. */
    public static final String CALLER_ATTRIBUTE = "io.atoll.security.caller";

    public AtollUser {
        teams = Set.copyOf(new TreeSet<>(teams.stream().map(AtollUser::team).toList()));
    }

    /** Team names compare case-insensitively, as LDAP compares a group's {@code cn}. */
    public static String team(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    static AtollUser bootstrap() {
        return new AtollUser("bootstrap", Set.of(), true, "bootstrap-token");
    }

    /** dev's anonymous-writes: one machine, one person, who may do anything. */
    static AtollUser anonymousDeveloper() {
        return new AtollUser("anonymous", Set.of(), true, "anonymous");
    }

    public boolean isMemberOf(String team) {
        return team != null && teams.contains(team(team));
    }

    /** May read and change everything of an app of this team (null: an app only admins manage). */
    public boolean canManage(String appTeam) {
        return admin || isMemberOf(appTeam);
    }

    /** Logged in with a directory password (not a token): the only way to get a personal token. */
    public boolean withPassword() {
        return "password".equals(via);
    }

    public List<GrantedAuthority> authorities() {
        List<GrantedAuthority> authorities = new ArrayList<>();
        if (admin) {
            authorities.add(new SimpleGrantedAuthority(ADMIN_ROLE));
        }
        teams.forEach(team -> authorities.add(new SimpleGrantedAuthority("TEAM_" + team)));
        return authorities;
    }

    @Override
    public String getName() {
        return name;
    }

    /** The caller of this request, or null when none is known (no Atoll principal). */
    public static AtollUser of(Authentication authentication) {
        return authentication != null && authentication.getPrincipal() instanceof AtollUser user ? user : null;
    }
}
