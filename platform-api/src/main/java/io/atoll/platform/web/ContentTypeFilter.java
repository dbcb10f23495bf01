package io.atoll.platform.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A request's {@code Content-Type}, when it has one, must be one concrete media type: Spring's
 * request headers refuse a wildcard ({@code *}{@code /*}, {@code application/*}) with an
 * exception deep inside argument resolution, which would read as a server error.
 */
class ContentTypeFilter extends OncePerRequestFilter {

    private final ProblemWriter problems;

    ContentTypeFilter(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String contentType = request.getContentType();
        if (contentType != null && !contentType.isBlank()) {
            boolean concrete;
            try {
                concrete = MediaType.parseMediaType(contentType).isConcrete();
            } catch (InvalidMediaTypeException e) {
                concrete = false;
            }
            if (!concrete) {
                problems.write(response, 415, "Content-Type must be one concrete media type: application/json");
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
