package io.atoll.registry.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code atoll.registry.requests{operation,status}}: latency per Distribution API operation.
 * Spring's own http.server.requests sees a single {@code /v2/**} mapping, which lumps a
 * manifest HEAD together with a 1 GiB blob upload. The controller names the operation once
 * it has parsed the path; this filter times the whole exchange, error bodies included.
 */
class OperationTimingFilter extends OncePerRequestFilter {

    static final String OPERATION = OperationTimingFilter.class.getName() + ".operation";

    private final MeterRegistry meters;

    OperationTimingFilter(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Timer.Sample sample = Timer.start(meters);
        try {
            chain.doFilter(request, response);
        } finally {
            Object operation = request.getAttribute(OPERATION);
            sample.stop(Timer.builder("atoll.registry.requests")
                    .description("Distribution API requests by operation")
                    .tag("operation", operation == null ? "invalid" : operation.toString())
                    .tag("status", Integer.toString(response.getStatus()))
                    .publishPercentileHistogram()
                    .register(meters));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {

        @Bean
        FilterRegistrationBean<OperationTimingFilter> operationTimingFilter(MeterRegistry meters) {
            FilterRegistrationBean<OperationTimingFilter> registration = new FilterRegistrationBean<>(new OperationTimingFilter(meters));
            registration.addUrlPatterns("/v2", "/v2/*");
            return registration;
        }
    }
}
