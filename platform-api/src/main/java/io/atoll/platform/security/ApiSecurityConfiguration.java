package io.atoll.platform.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.authentication.www.BasicAuthenticationConverter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stateless token API: no sessions, no CSRF (no cookies are ever issued). Every call needs a
 * bearer token but health, info, Prometheus metrics and the OpenAPI document; a directory
 * password (HTTP Basic) is accepted at {@code /api/v1/tokens} only, to get a token. Who may do
 * what: an app's team members and admins manage the app (its config and logs included); admins
 * alone manage nodes, IP groups and the actuator. Failures are problem+json like every error.
 */
@Configuration(proxyBeanMethods = false)
class ApiSecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ApiSecurityConfiguration.class);
    private static final String TOKENS = "/api/v1/tokens";

    @Bean
    Credentials credentials(ApiSecurityProperties properties, ObjectProvider<PersonalTokens> personal,
            Directory directory) {
        return new Credentials(properties.apiTokens(), personal, directory);
    }

    /** Bearer tokens; also keeps Boot from making a user with a generated password. */
    @Bean
    AuthenticationManager apiTokenAuthenticationManager(Credentials credentials) {
        return credentials.bearer();
    }

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiSecurityProperties properties, Credentials credentials,
            Directory directory, AppPermissions apps, JsonMapper json) throws Exception {
        if (properties.anonymousWrites()) {
            log.warn("atoll.platform.security.anonymous-writes is on: anyone who reaches this API is an admin");
        } else if (properties.apiTokens().isEmpty() && !directory.enabled()) {
            log.warn("No user directory and no atoll.platform.security.api-tokens: nobody can use this API");
        }
        AuthenticationFilter bearer = new AuthenticationFilter(credentials.bearer(), request -> {
            String header = request.getHeader("Authorization");
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return null;
            }
            return new PreAuthenticatedAuthenticationToken("bearer", header.substring(7).trim());
        });
        AuthenticationFilter password = new AuthenticationFilter(credentials.password(),
                new BasicAuthenticationConverter());
        password.setRequestMatcher(PathPatternRequestMatcher.withDefaults().matcher(TOKENS + "/**"));
        for (AuthenticationFilter filter : new AuthenticationFilter[] {bearer, password}) {
            filter.setSuccessHandler((request, response, authentication) ->
                    request.setAttribute(AtollUser.CALLER_ATTRIBUTE, AtollUser.of(authentication).name()));
            filter.setFailureHandler((request, response, e) -> refused(json, request, response, e));
        }

        http.csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .addFilterBefore(bearer, BasicAuthenticationFilter.class)
                .addFilterBefore(password, BasicAuthenticationFilter.class)
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint((request, response, e) -> problem(json, response,
                                HttpStatus.UNAUTHORIZED, unauthenticated(request, properties, directory)))
                        .accessDeniedHandler((request, response, e) -> problem(json, response, HttpStatus.FORBIDDEN,
                                forbidden(request))));
        letAnonymousDevelopersIn(http, properties);
        AuthorizationManager<RequestAuthorizationContext> anyUser = allow(user -> true);
        AuthorizationManager<RequestAuthorizationContext> admin = allow(AtollUser::admin);
        AuthorizationManager<RequestAuthorizationContext> appMember = (authentication, context) -> {
            AtollUser user = AtollUser.of(authentication.get());
            return new AuthorizationDecision(user != null && apps.allows(user, context.getVariables().get("app")));
        };
        http.authorizeHttpRequests(requests -> requests
                .requestMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/**", "/actuator/info",
                        "/actuator/prometheus").permitAll()
                .requestMatchers(HttpMethod.GET, "/v3/api-docs", "/v3/api-docs/**").permitAll()
                .requestMatchers("/error").permitAll()
                .requestMatchers("/actuator/**").access(admin)
                .requestMatchers(HttpMethod.GET, "/api/v1/nodes", "/api/v1/nodes/**", "/api/v1/ipgroups",
                        "/api/v1/ipgroups/**").access(anyUser)
                .requestMatchers("/api/v1/nodes/**", "/api/v1/ipgroups/**").access(admin)
                .requestMatchers("/api/v1/apps/{app}", "/api/v1/apps/{app}/**").access(appMember)
                .anyRequest().access(anyUser));
        return http.build();
    }

    /** dev's anonymous-writes: a caller without credentials is an admin (in every chain alike). */
    static void letAnonymousDevelopersIn(HttpSecurity http, ApiSecurityProperties properties) throws Exception {
        if (properties.anonymousWrites()) {
            http.anonymous(anonymous -> anonymous.principal(AtollUser.anonymousDeveloper())
                    .authorities(AtollUser.anonymousDeveloper().authorities()));
        }
    }

    static AuthorizationManager<RequestAuthorizationContext> allow(Predicate<AtollUser> rule) {
        return (authentication, context) -> {
            AtollUser user = AtollUser.of(authentication.get());
            return new AuthorizationDecision(user != null && rule.test(user));
        };
    }

    private static String unauthenticated(HttpServletRequest request, ApiSecurityProperties properties,
            Directory directory) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return "a username and password are accepted at " + TOKENS + " only, to get a token: send"
                    + " 'Authorization: Bearer <token>'";
        }
        if (!directory.enabled() && properties.apiTokens().isEmpty()) {
            return "this call needs an API token, and this platform has no directory and no bootstrap token"
                    + " (atoll.platform.security.ldap.enabled, atoll.platform.security.api-tokens)";
        }
        return "this call needs 'Authorization: Bearer <API token>'"
                + (directory.enabled() ? "; get one with POST " + TOKENS + " and your directory password" : "");
    }

    private static String forbidden(HttpServletRequest request) {
        String path = request.getRequestURI();
        if (path.startsWith("/api/v1/apps/")) {
            return "only members of the app's team, and admins, may use this app";
        }
        if (path.startsWith("/api/v1/nodes") || path.startsWith("/api/v1/ipgroups")) {
            return "only admins manage nodes and IP groups";
        }
        return "not allowed";
    }

    private static void refused(JsonMapper json, HttpServletRequest request, HttpServletResponse response,
            AuthenticationException e) throws IOException {
        if (request.getRequestURI().startsWith(TOKENS)) {
            String attempted = attemptedUser(request);
            if (attempted != null) {
                request.setAttribute(AtollUser.CALLER_ATTRIBUTE, attempted);
            }
        }
        if (e instanceof AuthenticationServiceException) {
            problem(json, response, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
            return;
        }
        problem(json, response, HttpStatus.UNAUTHORIZED, e.getMessage());
    }

    /** The username of a refused Basic login, for the audit log; never its password. */
    private static String attemptedUser(HttpServletRequest request) {
        try {
            var presented = new BasicAuthenticationConverter().convert(request);
            return presented == null ? null : presented.getName();
        } catch (AuthenticationException e) {
            return null;
        }
    }

    private static void problem(JsonMapper json, HttpServletResponse response, HttpStatus status, String detail)
            throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        response.setStatus(status.value());
        if (status == HttpStatus.UNAUTHORIZED) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"atoll\"");
        }
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getWriter().write(json.writeValueAsString(problem));
    }
}
