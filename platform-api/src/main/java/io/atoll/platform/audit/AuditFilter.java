package io.atoll.platform.audit;

import io.atoll.platform.security.AtollUser;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.server.PathContainer;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Gives every request an id (the caller's {@code X-Request-Id} when it is a sane one), answers
 * it in {@code X-Request-Id}, and appends every change, and every refused attempt at one, to the
 * audit log once it is answered. It runs before Spring Security, so that a refused login or a
 * 403 is recorded too; who called comes from the request attribute security sets.
 */
class AuditFilter extends OncePerRequestFilter {

    static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final Logger log = LoggerFactory.getLogger(AuditFilter.class);
    private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern APP_NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Set<String> CHANGES = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final PathPattern APP_PATH = PathPatternParser.defaultInstance.parse("/api/v1/apps/{app}/**");

    private final AuditRepository events;
    private final Clock clock = Clock.systemUTC();

    AuditFilter(AuditRepository events) {
        this.events = events;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = request.getHeader(REQUEST_ID_HEADER);
        String requestId = presented != null && SANE_ID.matcher(presented).matches() ? presented
                : UUID.randomUUID().toString();
        response.setHeader(REQUEST_ID_HEADER, requestId);
        MDC.put("requestId", requestId);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove("requestId");
            if (CHANGES.contains(request.getMethod())) {
                record(request, response, requestId);
            }
        }
    }

    private void record(HttpServletRequest request, HttpServletResponse response, String requestId) {
        Object caller = request.getAttribute(AtollUser.CALLER_ATTRIBUTE);
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        Object detail = request.getAttribute(Audit.DETAIL);
        String action = request.getMethod() + " " + (pattern != null ? pattern : printable(request.getRequestURI(), 200));
        try {
            events.save(new AuditEvent(null, clock.instant(), caller == null ? "anonymous" : printable(caller.toString(), 256),
                    action, app(request), response.getStatus(), requestId,
                    detail == null ? null : printable(detail.toString(), 2000)));
        } catch (RuntimeException e) {
            // the change is made and answered; losing its record is an operator's problem, so it is loud
            log.error("Could not append to the audit log: {} by {} ({}): {}", action, caller, requestId, e.toString());
        }
    }

    private static String app(HttpServletRequest request) {
        Object named = request.getAttribute(Audit.APP);
        String app = named != null ? named.toString() : null;
        if (app == null && request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables
                && variables.get("app") != null) {
            app = variables.get("app").toString();
        }
        if (app == null) {
            var match = APP_PATH.matchAndExtract(PathContainer.parsePath(request.getRequestURI()));
            app = match == null ? null : match.getUriVariables().get("app");
        }
        return app != null && APP_NAME.matcher(app).matches() ? app : null;
    }

    /** At most {@code max} characters, control characters replaced: what a log viewer can show safely. */
    private static String printable(String value, int max) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), max));
        value.codePoints().limit(max).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }
}
