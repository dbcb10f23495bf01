package io.atoll.gateway.routing;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.util.MultiValueMap;

/**
 * An immutable snapshot of who serves which host, rebuilt whole on every change and swapped in
 * atomically, so a request never sees half an update. Lookup is a hash probe on the host, then
 * at most one probe per dot for wildcards: its cost does not grow with the number of apps.
 *
 * @param wildcards keyed by the suffix after {@code "*."}; {@code *.example.com} claims every
 *     name ending in {@code .example.com}, the longest suffix winning
 */
public record RoutingTable(long version, Instant builtAt, Map<String, HostRules> exactHosts,
        Map<String, HostRules> wildcards, Map<String, AppBackends> healthy, int apps) {

    public RoutingTable {
        exactHosts = Map.copyOf(exactHosts);
        wildcards = Map.copyOf(wildcards);
        healthy = Map.copyOf(healthy);
    }

    public static RoutingTable empty() {
        return new RoutingTable(0, Instant.now(), Map.of(), Map.of(), Map.of(), 0);
    }

    /** @param query decoded query parameters */
    public Resolution resolve(String host, String path, HttpHeaders headers, MultiValueMap<String, String> query) {
        return resolve(host, path, RequestAttributes.of(headers, query));
    }

    /** @param path the raw (still percent-encoded) path, without the query */
    public Resolution resolve(String host, String path, RequestAttributes request) {
        HostRules rules = rulesFor(host);
        AppRule rule = rules == null ? null : rules.match(path, request);
        if (rule == null) {
            return new Resolution.NoRoute(host, path);
        }
        AppBackends backends = healthy.get(rule.app());
        if (backends == null || backends.releases().isEmpty()) {
            return new Resolution.NoHealthyInstance(rule.app());
        }
        return new Resolution.Match(rule, backends);
    }

    HostRules rulesFor(String host) {
        String name = normaliseHost(host);
        if (name == null) {
            return null;
        }
        HostRules exact = exactHosts.get(name);
        if (exact != null || wildcards.isEmpty()) {
            return exact;
        }
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            HostRules wildcard = wildcards.get(name.substring(dot + 1));
            if (wildcard != null) {
                return wildcard;
            }
        }
        return null;
    }

    /** True when some app claims the host, whatever the path. */
    public boolean knowsHost(String host) {
        return rulesFor(host) != null;
    }

    public int hostCount() {
        return exactHosts.size() + wildcards.size();
    }

    public int healthyInstanceCount() {
        return healthy.values().stream().mapToInt(AppBackends::size).sum();
    }

    /** Lower case, no port, no trailing dot; null when nothing is left. */
    public static String normaliseHost(String host) {
        if (host == null) {
            return null;
        }
        String value = host.strip();
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            value = close > 0 ? value.substring(0, close + 1) : value;
        } else {
            int colon = value.indexOf(':');
            if (colon >= 0) {
                value = value.substring(0, colon);
            }
        }
        if (value.endsWith(".")) {
            value = value.substring(0, value.length() - 1);
        }
        return value.isEmpty() ? null : value.toLowerCase(Locale.ROOT);
    }
}
