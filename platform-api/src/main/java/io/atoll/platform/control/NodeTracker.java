package io.atoll.platform.control;

import io.atoll.model.NodeInfo;
import io.atoll.platform.instances.ClusterState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which nodes are gone, and since when. A node gone for longer than the grace period is lost:
 * its instances are placed elsewhere.
 *
 * <p>"Since when" is the node's last contact. An agent that dies keeps its ephemeral entry for
 * its ZooKeeper session timeout; when the entry then goes with the expired session, the agent has
 * been silent that long already, so its clock starts that far back (the timeout is in the entry,
 * as the agent negotiated it). An agent that stops cleanly (a restart, an upgrade) leaves a mark
 * at {@code /atoll/nodes-left/{id}} before its entry goes: its clock starts when the entry goes,
 * and it has the whole grace to come back. A replica that never saw the entry, and every new
 * leader (clocks start anew), count from when they notice, which errs on the side of waiting.
 */
final class NodeTracker {

    private final ClusterState cluster;
    private final Duration grace;
    private final Clock clock;
    private final Predicate<String> leftCleanly;
    private final Map<String, Instant> goneSince = new ConcurrentHashMap<>();
    private final Map<String, Duration> sessionTimeouts = new ConcurrentHashMap<>();

    /** @param leftCleanly whether the node's agent marked its stop as clean */
    NodeTracker(ClusterState cluster, Duration grace, Clock clock, Predicate<String> leftCleanly) {
        this.cluster = cluster;
        this.grace = grace;
        this.clock = clock;
        this.leftCleanly = leftCleanly;
    }

    /** @param info the node's entry, null when it went away */
    void nodeChanged(String nodeId, NodeInfo info) {
        if (info != null) {
            goneSince.remove(nodeId);
            sessionTimeouts.put(nodeId, Duration.ofMillis(Math.max(0, info.sessionTimeoutMillis())));
            return;
        }
        Duration silentFor = sessionTimeouts.getOrDefault(nodeId, Duration.ZERO);
        if (!silentFor.isZero() && leftCleanly.test(nodeId)) {
            silentFor = Duration.ZERO;
        }
        // The earlier of the two: a reconcile pass may have noticed the absence first.
        goneSince.merge(nodeId, clock.instant().minus(silentFor), (a, b) -> a.isBefore(b) ? a : b);
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
