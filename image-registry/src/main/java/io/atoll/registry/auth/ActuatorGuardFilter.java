package io.atoll.registry.auth;

import io.atoll.registry.oci.OciErrors;
import io.atoll.registry.oci.RegistryException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The actuator shares port 5000 with the Distribution API, so it gets the same Basic users:
 * reading health, info and prometheus stays anonymous (script/server, the end-to-end test and
 * scrapers poll them without credentials); everything else, above all
 * {@code POST /actuator/registrygc}, needs a user marked {@code admin}. Refusals use the
 * registry's error body and challenge, so a client sees one kind of 401/403 on this port.
 * With auth off ({@code dev}) everything passes.
 */
class ActuatorGuardFilter extends OncePerRequestFilter {

    private static final List<String> OPEN = List.of("/actuator/health", "/actuator/info", "/actuator/prometheus");

    private final RegistryAccess access;
    private final JsonMapper json;

    ActuatorGuardFilter(RegistryAccess access, JsonMapper json) {
        this.access = access;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !access.enabled() || openRead(request);
    }

    private static boolean openRead(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            return false;
        }
        // The servlet path is decoded and normalised by the container, so "/actuator/health/../registrygc" is not open.
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        return OPEN.stream().anyMatch(open -> path.equals(open) || path.startsWith(open + "/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            access.requireAdmin(access.authenticate(request.getHeader("Authorization")));
        } catch (RegistryException refused) {
            refuse(response, refused);
            return;
        }
        chain.doFilter(request, response);
    }

    private void refuse(HttpServletResponse response, RegistryException refused) throws IOException {
        response.setStatus(refused.status());
        if (refused.status() == 401) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"" + access.realm() + "\", charset=\"UTF-8\"");
        }
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(), OciErrors.body(refused.code(), refused.getMessage(), refused.detail()));
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {

        @Bean
        FilterRegistrationBean<ActuatorGuardFilter> actuatorGuardFilter(RegistryAccess access, JsonMapper json) {
            FilterRegistrationBean<ActuatorGuardFilter> registration = new FilterRegistrationBean<>(new ActuatorGuardFilter(access, json));
            registration.addUrlPatterns("/actuator", "/actuator/*");
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
            return registration;
        }
    }
}
