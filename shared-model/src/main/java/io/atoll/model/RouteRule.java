package io.atoll.model;

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
        long maxBodyBytes) {

    public RouteRule {
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        query = query == null ? Map.of() : Map.copyOf(query);
        pathPrefix = pathPrefix == null || pathPrefix.isBlank() ? "/" : pathPrefix;
    }

    /** A rule with the gateway's default body limit. */
    public RouteRule(List<String> hosts, String pathPrefix, Map<String, String> headers, Map<String, String> query,
            boolean stripPrefix, long connectTimeoutMillis, long responseTimeoutMillis, int retries) {
        this(hosts, pathPrefix, headers, query, stripPrefix, connectTimeoutMillis, responseTimeoutMillis, retries, 0);
    }

    public static RouteRule forHosts(List<String> hosts) {
        return new RouteRule(hosts, "/", Map.of(), Map.of(), false, 0, 0, 0, 0);
    }
}
