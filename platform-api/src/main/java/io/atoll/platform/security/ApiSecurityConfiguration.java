package io.atoll.platform.security;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stateless token API: no sessions, no CSRF (no cookies are ever issued), reads and health
 * open, writes authenticated by bearer token. Failures are problem+json like every other error.
 */
@Configuration(proxyBeanMethods = false)
class ApiSecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ApiSecurityConfiguration.class);

    @Bean
    AuthenticationManager apiTokenAuthenticationManager(ApiSecurityProperties properties) {
        return new ApiTokenAuthenticationManager(properties.apiTokens());
    }

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiSecurityProperties properties,
            AuthenticationManager tokens, JsonMapper json) throws Exception {
        if (properties.anonymousWrites()) {
            log.warn("atoll.platform.security.anonymous-writes is on: anyone who reaches this API can change it");
        } else if (properties.apiTokens().isEmpty()) {
            log.warn("No atoll.platform.security.api-tokens configured: every write will be refused");
        }
        AuthenticationFilter bearer = new AuthenticationFilter(tokens, request -> {
            String header = request.getHeader("Authorization");
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return null;
            }
            return new PreAuthenticatedAuthenticationToken("api-token", header.substring(7).trim());
        });
        bearer.setSuccessHandler((request, response, authentication) -> {
            // continue the chain: the filter's default would redirect
        });
        bearer.setFailureHandler((request, response, e) ->
                problem(json, response, HttpStatus.UNAUTHORIZED, "the API token is not valid"));

        http.csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .addFilterBefore(bearer, BasicAuthenticationFilter.class)
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint((request, response, e) -> problem(json, response,
                                HttpStatus.UNAUTHORIZED, properties.apiTokens().isEmpty()
                                        ? "writes need an API token, and none is configured (atoll.platform.security.api-tokens)"
                                        : "writes need 'Authorization: Bearer <API token>'"))
                        .accessDeniedHandler((request, response, e) -> problem(json, response, HttpStatus.FORBIDDEN,
                                "not allowed")));
        http.authorizeHttpRequests(requests -> {
            if (properties.anonymousWrites()) {
                requests.anyRequest().permitAll();
                return;
            }
            requests.requestMatchers(HttpMethod.GET, "/actuator/health/**", "/actuator/info", "/actuator/prometheus")
                    .permitAll()
                    .requestMatchers("/actuator/**").authenticated()
                    .requestMatchers(HttpMethod.GET, "/**").permitAll()
                    .requestMatchers(HttpMethod.HEAD, "/**").permitAll()
                    .requestMatchers("/error").permitAll()
                    .anyRequest().authenticated();
        });
        return http.build();
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
