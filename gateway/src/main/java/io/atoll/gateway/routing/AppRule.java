package io.atoll.gateway.routing;

import java.time.Duration;
import java.util.Map;

/**
 * One rule of one app, ready for matching: the path prefix normalised, the timeouts resolved
 * against the gateway's defaults.
 *
 * @param pathPrefix "/" or a prefix without trailing slash; matches itself and anything below it
 * @param headers header name (any case) to the exact value the request must carry
 * @param query query parameter to the exact (decoded) value the request must carry
 * @param retries how many other instances an idempotent request is tried on after failing to connect
 * @param connectTimeout how long a TCP connection to an instance may take
 * @param responseTimeout how long an instance may take to send its response headers
 * @param maxBodyBytes the largest request body accepted
 * @param filters the rule's Spring Cloud Gateway filters, or null for the plain fast path
 */
public record AppRule(String app, String pathPrefix, Map<String, String> headers, Map<String, String> query,
        boolean stripPrefix, int retries, Duration connectTimeout, Duration responseTimeout, long maxBodyBytes,
        FilteredRoute filters) {

    public AppRule {
        pathPrefix = normalisePrefix(pathPrefix);
        headers = Map.copyOf(headers);
        query = Map.copyOf(query);
    }

    static String normalisePrefix(String prefix) {
        if (prefix == null || prefix.isBlank()) {
            return "/";
        }
        String value = prefix.strip();
        if (!value.startsWith("/")) {
            value = "/" + value;
        }
        while (value.length() > 1 && value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
        return value;
    }

    /** Longer prefixes first, then rules with more matchers: the most specific rule wins. */
    int specificity() {
        return headers.size() + query.size();
    }

    boolean matches(String path, RequestAttributes request) {
        if (!matchesPath(path)) {
            return false;
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!header.getValue().equals(request.header(header.getKey()))) {
                return false;
            }
        }
        for (Map.Entry<String, String> param : query.entrySet()) {
            if (!param.getValue().equals(request.queryParam(param.getKey()))) {
                return false;
            }
        }
        return true;
    }

    boolean matchesPath(String path) {
        if (pathPrefix.equals("/")) {
            return true;
        }
        return path.startsWith(pathPrefix)
                && (path.length() == pathPrefix.length() || path.charAt(pathPrefix.length()) == '/');
    }

    /** The raw path to send to the instance. */
    public String forwardedPath(String rawPath) {
        if (!stripPrefix || pathPrefix.equals("/")) {
            return rawPath;
        }
        String rest = rawPath.substring(pathPrefix.length());
        return rest.isEmpty() ? "/" : rest;
    }

    boolean sameMatchAs(AppRule other) {
        return pathPrefix.equals(other.pathPrefix) && headers.equals(other.headers) && query.equals(other.query);
    }
}
