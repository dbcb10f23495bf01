package io.atoll.gateway.routing;

import io.atoll.gateway.config.AtollGatewayProperties;
import io.atoll.model.AppRoute;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.RouteRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the mirrored ZooKeeper values into a {@link RoutingTable}. A bad host, address or rule
 * is logged and skipped; everything else keeps routing.
 */
public final class RoutingTableBuilder {

    private static final Logger log = LoggerFactory.getLogger(RoutingTableBuilder.class);

    private static final Comparator<AppRule> MOST_SPECIFIC_FIRST = Comparator
            .comparingInt((AppRule rule) -> rule.pathPrefix().length()).reversed()
            .thenComparing(Comparator.comparingInt(AppRule::specificity).reversed())
            .thenComparing(AppRule::app);

    private final AtollGatewayProperties properties;
    private final Set<String> reportedConflicts = ConcurrentHashMap.newKeySet();

    private final FilteredRoute.Compiler filters;
    private final Set<String> reportedFilterErrors = ConcurrentHashMap.newKeySet();

    public RoutingTableBuilder(AtollGatewayProperties properties) {
        this(properties, null);
    }

    /** @param filters binds rules that list filters; without it such rules are skipped */
    public RoutingTableBuilder(AtollGatewayProperties properties, FilteredRoute.Compiler filters) {
        this.properties = properties;
        this.filters = filters;
    }

    /**
     * @param routes keyed by app name ({@code /atoll/routes/{app}})
     * @param instances keyed by {@code app/instanceId} ({@code /atoll/instances/{app}/{id}})
     */
    public RoutingTable build(long version, Map<String, AppRoute> routes, Map<String, InstanceStatus> instances) {
        return build(version, routes, instances, Map.of());
    }

    /**
     * @param claimOrder per app, when its route was first written (the route node's creation
     *     zxid): of two apps naming the same host, the earlier one owns it. Apps without an
     *     entry come last, by name.
     */
    public RoutingTable build(long version, Map<String, AppRoute> routes, Map<String, InstanceStatus> instances,
            Map<String, Long> claimOrder) {
        Map<String, AppBackends> healthy = new HashMap<>();
        healthyBackends(instances).forEach((app, backends) -> {
            AppRoute route = routes.get(app);
            healthy.put(app, AppBackends.of(app, backends,
                    route == null ? Map.of() : route.weights(), properties.zone()));
        });

        TreeSet<String> apps = new TreeSet<>(routes.keySet());
        apps.addAll(appsOf(instances));
        List<String> byClaim = new ArrayList<>(apps);
        byClaim.sort(Comparator.comparingLong((String app) -> claimOrder.getOrDefault(app, Long.MAX_VALUE))
                .thenComparing(Comparator.naturalOrder()));

        HostOwners owners = new HostOwners();
        for (String app : apps) {
            // {app}.{default-domain} is the app's own, whoever else names it and whenever.
            owners.exact.put(defaultHost(app), app);
        }
        Map<String, List<AppRule>> exact = new HashMap<>();
        Map<String, List<AppRule>> wildcard = new HashMap<>();
        for (String app : byClaim) {
            AppRoute route = routes.get(app);
            List<RouteRule> rules = route == null ? List.of() : route.rules();
            String defaultHost = defaultHost(app);
            boolean defaultHostClaimed = false;
            for (int index = 0; index < rules.size(); index++) {
                RouteRule rule = rules.get(index);
                AppRule appRule = toAppRule(app, rule, index);
                if (appRule == null) {
                    // Failing closed: the app's own name must not fall back to a plain rule that
                    // skips what the filters were there for (authentication, a rate limit).
                    defaultHostClaimed |= rule.hosts().isEmpty()
                            || rule.hosts().stream().anyMatch(h -> defaultHost.equals(hostKey(h)));
                    continue;
                }
                // A rule naming no host is about the app's own name.
                for (String host : rule.hosts().isEmpty() ? List.of(defaultHost) : rule.hosts()) {
                    String name = hostKey(host);
                    if (name == null) {
                        log.warn("Ignoring invalid host '{}' in route of app {}", host, app);
                        continue;
                    }
                    boolean isWildcard = name.startsWith("*.");
                    String key = isWildcard ? name.substring(2) : name;
                    if (isWildcard && coversDefaultDomain(key)) {
                        // Every app's {app}.{default-domain} and the names below it are their apps'
                        // (platform-api refuses such a wildcard too).
                        reportConflict(name, app, "every app (the default domain)");
                        continue;
                    }
                    String owner = name.equals(defaultHost) ? app : owners.claim(key, isWildcard, app);
                    if (!owner.equals(app)) {
                        reportConflict(name, app, owner);
                        continue;
                    }
                    defaultHostClaimed |= name.equals(defaultHost);
                    add(isWildcard ? wildcard : exact, key, appRule);
                }
            }
            if (!defaultHostClaimed) {
                add(exact, defaultHost, toAppRule(app, RouteRule.forHosts(List.of(defaultHost)), -1));
            }
        }
        return new RoutingTable(version, Instant.now(), index(exact), index(wildcard), healthy, apps.size());
    }

    private boolean coversDefaultDomain(String wildcardSuffix) {
        String domain = properties.defaultDomain().toLowerCase(Locale.ROOT);
        return domain.equals(wildcardSuffix) || domain.endsWith("." + wildcardSuffix);
    }

    private String defaultHost(String app) {
        return app.toLowerCase(Locale.ROOT) + "." + properties.defaultDomain();
    }

    /**
     * Who owns which name, filled in claim order. A claim is refused when it would take names
     * that already resolve to another app: an exact host owned by another app or inside another
     * app's wildcard, or a wildcard equal to or inside another app's wildcard. A wildcard around
     * another app's exact host, or around a narrower wildcard, takes nothing from them: the exact
     * host and the longer suffix win at lookup.
     */
    private static final class HostOwners {
        final Map<String, String> exact = new HashMap<>();
        final Map<String, String> wildcards = new HashMap<>();

        /** @return the owner after the claim: {@code app} when it was granted */
        String claim(String key, boolean isWildcard, String app) {
            if (!isWildcard) {
                String owner = exact.get(key);
                if (owner != null && !owner.equals(app)) {
                    return owner;
                }
            }
            String covering = wildcardOwner(key, isWildcard, app);
            if (covering != null) {
                return covering;
            }
            (isWildcard ? wildcards : exact).putIfAbsent(key, app);
            return app;
        }

        /** Another app's wildcard covering {@code key}: any proper suffix, and for a wildcard the key itself. */
        private String wildcardOwner(String key, boolean isWildcard, String app) {
            if (isWildcard) {
                String owner = wildcards.get(key);
                if (owner != null && !owner.equals(app)) {
                    return owner;
                }
            }
            for (int dot = key.indexOf('.'); dot >= 0; dot = key.indexOf('.', dot + 1)) {
                String owner = wildcards.get(key.substring(dot + 1));
                if (owner != null && !owner.equals(app)) {
                    return owner;
                }
            }
            return null;
        }
    }

    /** Logged once per distinct conflict, not on every rebuild. */
    private void reportConflict(String host, String app, String owner) {
        if (reportedConflicts.add(host + " " + app + " " + owner)) {
            log.warn("App {} names host {}, which belongs to app {}: ignored (a host is never moved from its owner)",
                    app, host, owner);
        }
    }

    /** @return null for a rule whose filters do not bind: it is skipped (logged once), the rest of the table stands */
    private AppRule toAppRule(String app, RouteRule rule, int index) {
        Duration connect = rule.connectTimeoutMillis() > 0
                ? Duration.ofMillis(rule.connectTimeoutMillis()) : properties.connectTimeout();
        Duration response = rule.responseTimeoutMillis() > 0
                ? Duration.ofMillis(rule.responseTimeoutMillis()) : properties.responseTimeout();
        int retries = rule.retries() > 0 ? rule.retries() : rule.retries() < 0 ? 0 : properties.retries();
        long maxBody = rule.maxBodyBytes() > 0 ? rule.maxBodyBytes() : properties.maxBodySize().toBytes();
        FilteredRoute filtered = null;
        if (!rule.filters().isEmpty()) {
            try {
                if (filters == null) {
                    throw new IllegalArgumentException("this gateway runs no filters");
                }
                // The id stays the same across rebuilds, so per-route state (rate limits) carries over.
                filtered = filters.compile(app + "#" + index, rule.filters(), connect, response);
            } catch (RuntimeException e) {
                if (reportedFilterErrors.add(app + "#" + index + rule.filters())) {
                    log.warn("Skipping rule {} of app {} (path {}): its filters do not bind: {}", index, app,
                            rule.pathPrefix(), e.getMessage());
                }
                return null;
            }
        }
        return new AppRule(app, rule.pathPrefix(), rule.headers(), rule.query(), rule.stripPrefix(), retries,
                connect, response, maxBody, filtered);
    }

    private static void add(Map<String, List<AppRule>> index, String host, AppRule rule) {
        List<AppRule> rules = index.computeIfAbsent(host, h -> new ArrayList<>());
        for (AppRule existing : rules) {
            if (existing.sameMatchAs(rule)) {
                // The app's own duplicate: its first rule stands.
                return;
            }
        }
        rules.add(rule);
    }

    private static Map<String, HostRules> index(Map<String, List<AppRule>> rulesByHost) {
        Map<String, HostRules> index = new HashMap<>(rulesByHost.size() * 2);
        rulesByHost.forEach((host, rules) -> {
            List<AppRule> sorted = new ArrayList<>(rules);
            sorted.sort(MOST_SPECIFIC_FIRST);
            index.put(host, new HostRules(sorted));
        });
        return index;
    }

    /** Normalised host, keeping a leading {@code *.}; null when it is not a usable name. */
    static String hostKey(String host) {
        String name = RoutingTable.normaliseHost(host);
        if (name == null || name.chars().anyMatch(Character::isWhitespace)) {
            return null;
        }
        if (name.startsWith("*.")) {
            return name.length() > 2 && name.indexOf('*', 1) < 0 ? name : null;
        }
        return name.indexOf('*') < 0 ? name : null;
    }

    private static List<String> appsOf(Map<String, InstanceStatus> instances) {
        List<String> apps = new ArrayList<>();
        for (String key : instances.keySet()) {
            apps.add(key.substring(0, key.indexOf('/')));
        }
        return apps;
    }

    private static Map<String, List<Backend>> healthyBackends(Map<String, InstanceStatus> instances) {
        Map<String, List<Backend>> byApp = new LinkedHashMap<>();
        instances.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(entry -> {
                    InstanceStatus status = entry.getValue();
                    if (status.state() != InstanceState.HEALTHY) {
                        return;
                    }
                    String key = entry.getKey();
                    String app = key.substring(0, key.indexOf('/'));
                    String instanceId = key.substring(key.indexOf('/') + 1);
                    String authority = Backend.authorityOf(status.address());
                    if (authority == null) {
                        log.warn("Ignoring instance {} of app {}: unusable address '{}'", instanceId, app, status.address());
                        return;
                    }
                    byApp.computeIfAbsent(app, a -> new ArrayList<>())
                            .add(new Backend(app, instanceId, status.zone(), status.releaseId(), authority));
                });
        Map<String, List<Backend>> result = new HashMap<>();
        byApp.forEach((app, backends) -> result.put(app, List.copyOf(backends)));
        return result;
    }
}
