package io.atoll.platform.security;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.ldap.core.DirContextOperations;
import org.springframework.ldap.core.support.BaseLdapPathContextSource;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.ldap.authentication.BindAuthenticator;
import org.springframework.security.ldap.authentication.LdapAuthenticationProvider;
import org.springframework.security.ldap.search.FilterBasedLdapUserSearch;
import org.springframework.security.ldap.userdetails.DefaultLdapAuthoritiesPopulator;
import org.springframework.security.ldap.userdetails.LdapUserDetailsMapper;
import org.springframework.security.ldap.userdetails.LdapUserDetailsService;
import org.springframework.stereotype.Component;

/**
 * The user directory: checks a password by binding as the user (the directory decides, Atoll
 * keeps no passwords), and finds a user's teams, the LDAP groups they are a member of, at every
 * request, so that leaving a group or the directory takes effect at the next call.
 */
@Component
public class Directory {

    private static final Logger log = LoggerFactory.getLogger(Directory.class);

    private final boolean enabled;
    private final String adminGroup;
    private final LdapAuthenticationProvider passwords;
    private final LdapUserDetailsService users;

    Directory(ApiSecurityProperties properties, ObjectProvider<BaseLdapPathContextSource> contextSource) {
        ApiSecurityProperties.Ldap ldap = properties.ldap();
        this.enabled = ldap.enabled();
        this.adminGroup = AtollUser.team(ldap.adminGroup());
        if (!enabled) {
            passwords = null;
            users = null;
            log.info("No user directory (atoll.platform.security.ldap.enabled=false): only bootstrap tokens get in");
            return;
        }
        BaseLdapPathContextSource source = contextSource.getObject();
        var search = new FilterBasedLdapUserSearch(ldap.userSearchBase(), ldap.userSearchFilter(), source);
        var groups = new DefaultLdapAuthoritiesPopulator(source, ldap.groupSearchBase());
        groups.setGroupSearchFilter(ldap.groupSearchFilter());
        groups.setGroupRoleAttribute(ldap.groupNameAttribute());
        groups.setRolePrefix("");
        groups.setConvertToUpperCase(false);
        groups.setSearchSubtree(true);
        var mapper = new CanonicalNames(ldap.usernameAttribute());
        var bind = new BindAuthenticator(source);
        bind.setUserSearch(search);
        passwords = new LdapAuthenticationProvider(bind, groups);
        passwords.setUserDetailsContextMapper(mapper);
        users = new LdapUserDetailsService(search, groups);
        users.setUserDetailsMapper(mapper);
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * The user, if the directory accepts this password for them.
     *
     * @throws BadCredentialsException unknown user or wrong password (the same answer for both)
     * @throws AuthenticationServiceException the directory cannot be reached
     */
    public AtollUser authenticate(String username, String password) {
        if (!enabled) {
            throw new BadCredentialsException("no user directory is configured");
        }
        try {
            Authentication result = passwords.authenticate(
                    UsernamePasswordAuthenticationToken.unauthenticated(username, password));
            return user(((UserDetails) result.getPrincipal()).getUsername(), result.getAuthorities(), "password");
        } catch (AuthenticationException e) {
            if (e instanceof AuthenticationServiceException) {
                throw e;
            }
            throw new BadCredentialsException("wrong username or password");
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    /** The user as the directory knows them now, if they are still in it. */
    public Optional<AtollUser> find(String username, String via) {
        if (!enabled) {
            return Optional.empty();
        }
        try {
            UserDetails details = users.loadUserByUsername(username);
            return Optional.of(user(details.getUsername(), details.getAuthorities(), via));
        } catch (UsernameNotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    private AtollUser user(String name, java.util.Collection<? extends GrantedAuthority> groups, String via) {
        Set<String> teams = groups.stream().map(GrantedAuthority::getAuthority).map(AtollUser::team)
                .collect(Collectors.toSet());
        boolean admin = teams.remove(adminGroup);
        return new AtollUser(name, teams, admin, via);
    }

    private static AuthenticationServiceException unreachable(RuntimeException e) {
        log.warn("The user directory failed: {}", e.toString());
        return new AuthenticationServiceException("the user directory cannot be reached", e);
    }

    /** Records the name as the directory spells it, not as it was typed. */
    private static final class CanonicalNames extends LdapUserDetailsMapper {

        private final String attribute;

        CanonicalNames(String attribute) {
            this.attribute = attribute;
        }

        @Override
        public UserDetails mapUserFromContext(DirContextOperations ctx, String username,
                java.util.Collection<? extends GrantedAuthority> authorities) {
            String canonical = ctx.getStringAttribute(attribute);
            return super.mapUserFromContext(ctx, canonical == null || canonical.isBlank() ? username : canonical,
                    authorities);
        }
    }
}
