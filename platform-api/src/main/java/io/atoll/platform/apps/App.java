package io.atoll.platform.apps;

import io.atoll.json.JsonCodec;
import io.atoll.model.RouteFilter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/**
 * An app as stored: its routing hosts, and the IP groups it may reach (its dependencies), are
 * kept as comma-separated columns.
 */
@Table("app")
public record App(@Id String name, String hosts, int containerPort, String healthPath, Instant createdAt,
        boolean deleting, String dependencies, int stopGraceSeconds, String team, String routeFilters,
        @Version Integer version) {

    /** @param team the LDAP group whose members manage the app; null for an app only admins manage */
    public static App create(String name, List<String> hosts, int containerPort, String healthPath, Instant now,
            String team) {
        return new App(name, String.join(",", hosts), containerPort, healthPath, now, false, "", 0, team, "[]", null);
    }

    /** Marked for deletion: the controllers drain and remove everything, then the rows. */
    public App markDeleting() {
        return new App(name, hosts, containerPort, healthPath, createdAt, true, dependencies, stopGraceSeconds,
                team, routeFilters, version);
    }

    public App withDependencies(List<String> groups) {
        return new App(name, hosts, containerPort, healthPath, createdAt, deleting, String.join(",", groups),
                stopGraceSeconds, team, routeFilters, version);
    }

    /** @param seconds between SIGTERM and SIGKILL when an instance stops; 0 for the agents' default */
    public App withStopGraceSeconds(int seconds) {
        return new App(name, hosts, containerPort, healthPath, createdAt, deleting, dependencies, seconds, team,
                routeFilters, version);
    }

    public App withTeam(String newTeam) {
        return new App(name, hosts, containerPort, healthPath, createdAt, deleting, dependencies, stopGraceSeconds,
                newTeam, routeFilters, version);
    }

    /** @param filtersJson the route's SCG filters, a JSON array of {@link io.atoll.model.RouteFilter} */
    public App withRouteFilters(String filtersJson) {
        return new App(name, hosts, containerPort, healthPath, createdAt, deleting, dependencies, stopGraceSeconds,
                team, filtersJson, version);
    }

    public List<RouteFilter> routeFilterList() {
        return routeFilters == null || routeFilters.isBlank() ? List.of()
                : List.of(JsonCodec.shared().decode(routeFilters.getBytes(StandardCharsets.UTF_8), RouteFilter[].class));
    }

    public List<String> dependencyList() {
        return dependencies == null || dependencies.isEmpty() ? List.of() : Arrays.asList(dependencies.split(","));
    }

    public List<String> hostList() {
        return hosts.isEmpty() ? List.of() : Arrays.asList(hosts.split(","));
    }
}
