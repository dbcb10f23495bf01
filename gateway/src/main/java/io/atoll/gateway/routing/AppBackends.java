package io.atoll.gateway.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HEALTHY instances of one app as the balancer needs them: grouped by release with each
 * release's share of traffic (canaries), and within a release split into the gateway's own zone
 * and the others.
 *
 * @param all every instance, in a stable order
 * @param releases one group when the route sets no weights (every instance equal), else one per
 *     release that has HEALTHY instances
 */
public record AppBackends(List<Backend> all, List<ReleaseGroup> releases) {

    private static final Logger log = LoggerFactory.getLogger(AppBackends.class);

    public AppBackends {
        all = List.copyOf(all);
        releases = List.copyOf(releases);
    }

    /**
     * @param weight share of the app's traffic, relative to the other groups' weights
     * @param local instances in the gateway's zone (all of them when the gateway has no zone)
     * @param remote instances in other zones, used only when no local one can take the request
     */
    public record ReleaseGroup(String releaseId, int weight, List<Backend> local, List<Backend> remote) {

        public ReleaseGroup {
            local = List.copyOf(local);
            remote = List.copyOf(remote);
        }

        public int size() {
            return local.size() + remote.size();
        }
    }

    public int size() {
        return all.size();
    }

    /**
     * @param weights share of traffic per release id from the app's route; empty means every
     *     instance is equal. A release missing from a non-empty map gets nothing, unless no listed
     *     release has a HEALTHY instance: then all share equally, because serving the "wrong"
     *     release beats answering 503.
     * @param zone the gateway's zone; null or blank for no preference
     */
    public static AppBackends of(String app, List<Backend> backends, Map<String, Integer> weights, String zone) {
        if (weights.isEmpty()) {
            return new AppBackends(backends, List.of(group(null, 1, backends, zone)));
        }
        Map<String, List<Backend>> byRelease = new LinkedHashMap<>();
        for (Backend backend : backends) {
            byRelease.computeIfAbsent(Objects.requireNonNullElse(backend.releaseId(), ""), r -> new ArrayList<>())
                    .add(backend);
        }
        boolean anyWeighted = byRelease.keySet().stream().anyMatch(release -> weightOf(weights, release) > 0);
        if (!anyWeighted) {
            log.warn("App {}: no release with a weight has a HEALTHY instance; all releases share equally", app);
        }
        List<ReleaseGroup> groups = new ArrayList<>();
        byRelease.forEach((release, members) -> {
            int weight = anyWeighted ? weightOf(weights, release) : members.size();
            if (weight > 0) {
                groups.add(group(release, weight, members, zone));
            }
        });
        return new AppBackends(backends, groups);
    }

    private static int weightOf(Map<String, Integer> weights, String release) {
        Integer weight = weights.get(release);
        return weight == null ? 0 : Math.max(0, weight);
    }

    private static ReleaseGroup group(String release, int weight, List<Backend> members, String zone) {
        if (zone == null || zone.isBlank()) {
            return new ReleaseGroup(release, weight, members, List.of());
        }
        List<Backend> local = new ArrayList<>();
        List<Backend> remote = new ArrayList<>();
        for (Backend backend : members) {
            (zone.equals(backend.zone()) ? local : remote).add(backend);
        }
        return new ReleaseGroup(release, weight, local, remote);
    }
}
