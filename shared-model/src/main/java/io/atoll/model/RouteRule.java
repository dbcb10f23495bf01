package io.atoll.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * One routing rule of an app (DESIGN §4). Hosts are exact ({@code shop.example.com}) or
 * wildcard ({@code *.example.com}).
 *
 * @param pathPrefix requests whose path starts with it match; null or "/" matches every path
 * @param stripPrefix remove {@code pathPrefix} before forwarding
 * @param responseTimeoutMillis 0 for the gateway's default
 * @param maxBodyBytes the largest request body the rule accepts (413 beyond); 0 for the gateway's default
 * @param filters Spring Cloud Gateway filters the rule's requests run through, in order; empty for
 *     the gateway's plain fast path (left out of the JSON then, so plain routes encode as before)
 */
public record RouteRule(
        List<String> hosts,
        String pathPrefix,
        Map<String, String> headers,
        Map<String, String> query,
        boolean stripPrefix,
        long connectTimeoutMillis,
        long responseTimeoutMillis,
        int retries,
        long maxBodyBytes,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<RouteFilter> filters) {

    public RouteRule {
        filters = filters == null ? List.of() : List.copyOf(filters);
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        query = query == null ? Map.of() : Map.copyOf(query);
        pathPrefix = pathPrefix == null || pathPrefix.isBlank() ? "/" : pathPrefix;
    }

    /** A rule without filters. */
    public RouteRule(List<String> hosts, String pathPrefix, Map<String, String> headers, Map<String, String> query,
            boolean stripPrefix, long connectTimeoutMillis, long responseTimeoutMillis, int retries,
            long maxBodyBytes) {
        this(hosts, pathPrefix, headers, query, stripPrefix, connectTimeoutMillis, responseTimeoutMillis, retries,
                maxBodyBytes, List.of());
    }

    /** A rule with the gateway's default body limit. */
    public RouteRule(List<String> hosts, String pathPrefix, Map<String, String> headers, Map<String, String> query,
            boolean stripPrefix, long connectTimeoutMillis, long responseTimeoutMillis, int retries) {
        this(hosts, pathPrefix, headers, query, stripPrefix, connectTimeoutMillis, responseTimeoutMillis, retries, 0);
    }

    public static RouteRule forHosts(List<String> hosts) {
        return new RouteRule(hosts, "/", Map.of(), Map.of(), false, 0, 0, 0, 0);
    }

    public RouteRule withFilters(List<RouteFilter> newFilters) {
        return new RouteRule(hosts, pathPrefix, headers, query, stripPrefix, connectTimeoutMillis,
                responseTimeoutMillis, retries, maxBodyBytes, newFilters);
    }
}
