package io.atoll.platform.control;

import io.atoll.model.NodeInfo;
import io.atoll.platform.instances.ClusterState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Which nodes are gone, and since when. A node whose ephemeral registration is gone for longer
 * than the grace period is lost: its instances are placed elsewhere. The clock starts when this
 * replica first notices (an agent restart or a short ZooKeeper session loss must not move
 * anything); a new leader starts every clock anew, which errs on the side of waiting.
 */
final class NodeTracker {

    private final ClusterState cluster;
    private final Duration grace;
    private final Clock clock;
    private final Map<String, Instant> goneSince = new ConcurrentHashMap<>();

    NodeTracker(ClusterState cluster, Duration grace, Clock clock) {
        this.cluster = cluster;
        this.grace = grace;
        this.clock = clock;
    }

    void nodeChanged(String nodeId, boolean present) {
        if (present) {
            goneSince.remove(nodeId);
        } else {
            goneSince.putIfAbsent(nodeId, clock.instant());
        }
    }

    Set<String> live() {
        return cluster.liveNodes().stream().map(NodeInfo::nodeId).collect(Collectors.toSet());
    }

    /** Gone longer than the grace: its instances are to be placed elsewhere. */
    boolean lost(String nodeId, Set<String> live) {
        if (live.contains(nodeId)) {
            goneSince.remove(nodeId);
            return false;
        }
        Instant since = goneSince.computeIfAbsent(nodeId, id -> clock.instant());
        return Duration.between(since, clock.instant()).compareTo(grace) >= 0;
    }

    /** How long until the node is lost, for requeueing; zero when it already is. */
    Duration untilLost(String nodeId) {
        Instant since = goneSince.get(nodeId);
        if (since == null) {
            return grace;
        }
        Duration left = grace.minus(Duration.between(since, clock.instant()));
        return left.isNegative() ? Duration.ZERO : left;
    }

    void reset() {
        goneSince.clear();
    }
}
