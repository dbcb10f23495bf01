package io.atoll.platform.apps;

import io.atoll.model.RouteFilter;
import java.time.Instant;
import java.util.List;

/** An app as the API shows it; {@code team} is null for an app only admins manage. */
public record AppView(String name, String team, List<String> hosts, int containerPort, String healthPath, Instant createdAt,
        CurrentRelease release, int instances, boolean deleting, List<String> dependencies,
        Integer stopGraceSeconds, List<RouteFilter> routeFilters) {

    /** The release the app serves. */
    public record CurrentRelease(String id, int number, String version, String image, String pinnedImage) {
    }
}
