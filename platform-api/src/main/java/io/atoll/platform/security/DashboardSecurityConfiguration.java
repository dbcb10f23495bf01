package io.atoll.platform.security;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The dashboard (Spring Boot Admin at {@code /admin}, and the Atoll page's data at
 * {@code /dashboard}) is for admins, behind a browser login with the directory password: a
 * session cookie, so CSRF protection as Spring Boot Admin's UI expects it (the token in the
 * {@code XSRF-TOKEN} cookie, sent back in a header). The API's tokens do not open it, and its
 * session does not open the API, whose chain never reads a session.
 */
@Configuration(proxyBeanMethods = false)
class DashboardSecurityConfiguration {

    static final String ADMIN = "/admin";

    @Bean
    @Order(1)
    SecurityFilterChain dashboardSecurity(HttpSecurity http, ApiSecurityProperties properties, Credentials credentials)
            throws Exception {
        AuthorizationManager<RequestAuthorizationContext> admin = ApiSecurityConfiguration.allow(AtollUser::admin);
        http.securityMatcher(ADMIN, ADMIN + "/**", "/dashboard/**")
                .authenticationManager(credentials.password())
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(ADMIN + "/assets/**", ADMIN + "/login").permitAll()
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .anyRequest().access(admin))
                .formLogin(form -> form.loginPage(ADMIN + "/login").loginProcessingUrl(ADMIN + "/login")
                        .defaultSuccessUrl(ADMIN + "/", true).failureUrl(ADMIN + "/login?error"))
                .logout(logout -> logout.logoutUrl(ADMIN + "/logout").logoutSuccessUrl(ADMIN + "/login?logout"))
                .httpBasic(basic -> basic.disable())
                // the Atoll page is shown in a frame of the dashboard, which is on this origin
                .headers(headers -> headers.frameOptions(frame -> frame.sameOrigin()))
                .csrf(csrf -> csrf.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
                        // instances register themselves by POST without a session; Atoll's are discovered,
                        // so this is admins only anyway
                        .ignoringRequestMatchers(request -> HttpMethod.POST.matches(request.getMethod())
                                && request.getRequestURI().equals(ADMIN + "/instances")))
                .addFilterAfter(new CsrfCookie(), BasicAuthenticationFilter.class);
        ApiSecurityConfiguration.letAnonymousDevelopersIn(http, properties);
        return http.build();
    }

    /** Spring Security loads the CSRF token lazily; the UI needs its cookie on the first page. */
    private static final class CsrfCookie extends OncePerRequestFilter {

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if (request.getAttribute(CsrfToken.class.getName()) instanceof CsrfToken token) {
                token.getToken();
            }
            chain.doFilter(request, response);
        }
    }
}
