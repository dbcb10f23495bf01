package io.atoll.gateway.routing;

import java.util.Map;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpHeaders;
import org.springframework.util.MultiValueMap;

/**
 * One rule of one app, ready for matching: the path prefix normalised, and the Spring Cloud
 * Gateway {@link Route} that carries the rule's timeouts to the proxying filter.
 *
 * @param pathPrefix "/" or a prefix without trailing slash; matches itself and anything below it
 * @param headers header name (any case) to the exact value the request must carry
 * @param query query parameter to the exact (decoded) value the request must carry
 * @param retries how many other instances an idempotent request is tried on after failing to connect
 */
public record AppRule(String app, String pathPrefix, Map<String, String> headers, Map<String, String> query,
        boolean stripPrefix, int retries, Route route) {

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

    boolean matches(String path, HttpHeaders requestHeaders, MultiValueMap<String, String> queryParams) {
        if (!matchesPath(path)) {
            return false;
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!header.getValue().equals(requestHeaders.getFirst(header.getKey()))) {
                return false;
            }
        }
        for (Map.Entry<String, String> param : query.entrySet()) {
            if (!param.getValue().equals(queryParams.getFirst(param.getKey()))) {
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
