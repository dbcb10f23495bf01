package io.atoll.agent.logs;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import io.atoll.json.JsonCodec;
import java.security.MessageDigest;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The log endpoint reads what apps print, so it needs {@code Authorization: Bearer <atoll.agent.logs.token>}.
 * In the {@code dev} profile without a token it is open, for the one-machine quick start. Outside
 * {@code dev} without a token every request is refused: an agent started without one serves
 * instances but no logs, rather than failing to start on an upgrade or serving logs to anyone.
 * The token is compared in constant time and never logged.
 */
class LogTokenFilter extends OncePerRequestFilter {

    private final byte[] token;
    private final boolean open;

    LogTokenFilter(String token, boolean dev) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.open = token == null && dev;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !(path.equals("/api/v1/logs") || path.startsWith("/api/v1/logs/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (open || (token != null && presented(request))) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"atoll-agent\"");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        String detail = token == null
                ? "this agent has no atoll.agent.logs.token configured: its log endpoint is closed"
                : "a bearer token is required to read logs";
        response.getOutputStream().write(JsonCodec.shared().encode(Map.of("type", "about:blank", "title", "Unauthorized",
                "status", 401, "detail", detail)));
    }

    private boolean presented(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }
}
