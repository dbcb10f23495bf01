package io.atoll.gateway.management;

import io.atoll.gateway.balancing.LeastOutstandingBalancer;
import io.atoll.gateway.routing.AppBackends;
import io.atoll.gateway.routing.AppRule;
import io.atoll.gateway.routing.Backend;
import io.atoll.gateway.routing.Resolution;
import io.atoll.gateway.routing.RoutingTable;
import io.atoll.gateway.routing.RoutingTableWatcher;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code GET /actuator/routing?host=shop.example.com&path=/api/x?y=1[&header=Name:value]} on
 * the management port: where the gateway would send such a request right now, and the table
 * it decided with (version, age). Read-only: it asks the balancer nothing that changes its
 * counters. Without {@code host}, only the table.
 */
@WebEndpoint(id = "routing")
public class RoutingEndpoint {

    private final RoutingTableWatcher tables;
    private final LeastOutstandingBalancer balancer;

    public RoutingEndpoint(RoutingTableWatcher tables, LeastOutstandingBalancer balancer) {
        this.tables = tables;
        this.balancer = balancer;
    }

    public record TableInfo(long version, Instant builtAt, long ageMillis, boolean synced, int apps, int hosts,
            int healthyInstances) {
    }

    public record RuleInfo(String pathPrefix, Map<String, String> headers, Map<String, String> query,
            boolean stripPrefix, String forwardedPath, int retries, long connectTimeoutMillis,
            long responseTimeoutMillis) {
    }

    /**
     * @param release null when the app's route sets no weights
     * @param weight the release's share relative to the other releases listed
     * @param sameZone in the gateway's zone (or the gateway has no zone): preferred
     */
    public record InstanceInfo(String instanceId, String address, String zone, String release, int weight,
            boolean sameZone, int outstanding, boolean ejected) {
    }

    /**
     * @param outcome {@code ROUTED}, {@code NO_ROUTE} (404) or {@code NO_HEALTHY_INSTANCE} (503)
     * @param instances the candidates in the order of preference before load is counted
     */
    public record Lookup(TableInfo table, String host, String path, String outcome, int status, String app,
            RuleInfo rule, List<InstanceInfo> instances) {
    }

    @ReadOperation
    public WebEndpointResponse<Object> lookup(@Nullable String host, @Nullable String path, @Nullable String header) {
        RoutingTable table = tables.current();
        TableInfo info = new TableInfo(table.version(), table.builtAt(),
                Duration.between(table.builtAt(), Instant.now()).toMillis(), tables.isSynced(), table.apps(),
                table.hostCount(), table.healthyInstanceCount());
        if (host == null || host.isBlank()) {
            return ok(new Lookup(info, null, null, null, 0, null, null, List.of()));
        }
        URI target;
        try {
            target = URI.create(path == null || path.isBlank() ? "/" : path.startsWith("/") ? path : "/" + path);
        } catch (IllegalArgumentException e) {
            return new WebEndpointResponse<>(Map.of("status", 400, "title", "Bad Request",
                    "detail", "path must be a URI path with an optional query, percent-encoded"),
                    WebEndpointResponse.STATUS_BAD_REQUEST);
        }
        String rawPath = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
        UriComponentsBuilder.fromUri(target).build().getQueryParams().forEach((name, values) ->
                values.forEach(value -> query.add(name, value == null ? "" : decode(value))));
        HttpHeaders headers = new HttpHeaders();
        if (header != null && header.indexOf(':') > 0) {
            headers.add(header.substring(0, header.indexOf(':')).strip(), header.substring(header.indexOf(':') + 1).strip());
        }
        String name = RoutingTable.normaliseHost(host);
        Resolution resolution = table.resolve(name, rawPath, headers, query);
        if (resolution instanceof Resolution.Match match) {
            return ok(new Lookup(info, name, rawPath, "ROUTED", 200, match.rule().app(),
                    ruleInfo(match.rule(), rawPath), instances(match.backends())));
        }
        if (resolution instanceof Resolution.NoHealthyInstance none) {
            return ok(new Lookup(info, name, rawPath, "NO_HEALTHY_INSTANCE", 503, none.app(), null, List.of()));
        }
        return ok(new Lookup(info, name, rawPath, "NO_ROUTE", 404, null, null, List.of()));
    }

    private static WebEndpointResponse<Object> ok(Lookup lookup) {
        return new WebEndpointResponse<>(lookup, WebEndpointResponse.STATUS_OK);
    }

    private static RuleInfo ruleInfo(AppRule rule, String rawPath) {
        return new RuleInfo(rule.pathPrefix(), rule.headers(), rule.query(), rule.stripPrefix(),
                rule.forwardedPath(rawPath), rule.retries(), rule.connectTimeout().toMillis(),
                rule.responseTimeout().toMillis());
    }

    private List<InstanceInfo> instances(AppBackends backends) {
        List<InstanceInfo> result = new ArrayList<>();
        for (AppBackends.ReleaseGroup group : backends.releases()) {
            for (Backend backend : group.local()) {
                result.add(info(group, backend, true));
            }
            for (Backend backend : group.remote()) {
                result.add(info(group, backend, false));
            }
        }
        return result;
    }

    private InstanceInfo info(AppBackends.ReleaseGroup group, Backend backend, boolean sameZone) {
        return new InstanceInfo(backend.instanceId(), backend.authority(), backend.zone(),
                group.releaseId() == null ? backend.releaseId() : group.releaseId(), group.weight(), sameZone,
                balancer.outstanding(backend), balancer.isEjected(backend));
    }

    /** As the traffic side decodes query parameters. */
    private static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }
}
