package io.atoll.registry.web;

import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.OciErrors;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Tomcat lets an encoded {@code /} or {@code \} through so that {@code /v2} paths get the spec's
 * error for them ({@link TomcatConfiguration}). Nothing else on this port has a use for one, and
 * the actuator does not expect them (a health group named {@code ..%2f..} made it fail with a
 * 500), so outside {@code /v2} such a path is refused here, as Tomcat itself would, but with the
 * registry's error body.
 */
class EncodedSeparatorFilter extends OncePerRequestFilter {

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return uri.equals("/v2") || uri.startsWith("/v2/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String uri = request.getRequestURI().toLowerCase(Locale.ROOT);
        if (uri.contains("%2f") || uri.contains("%5c")) {
            byte[] body = OciErrors.json(ErrorCode.UNSUPPORTED, "encoded / or \\ in the path").getBytes(StandardCharsets.UTF_8);
            response.setStatus(400);
            response.setContentType("application/json");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            return;
        }
        chain.doFilter(request, response);
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {

        @Bean
        FilterRegistrationBean<EncodedSeparatorFilter> encodedSeparatorFilter() {
            FilterRegistrationBean<EncodedSeparatorFilter> registration = new FilterRegistrationBean<>(new EncodedSeparatorFilter());
            registration.addUrlPatterns("/*");
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            return registration;
        }
    }
}
