package io.atoll.platform.placement;

import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Placement of DESIGN §5: spread an app's instances evenly over the zones that have room, then
 * inside a zone pick the node with the lowest weight (instances of the same app there count
 * double, plus memory and CPU use after placement). Never over capacity, never on a node in
 * maintenance. Pure: the caller passes what is already placed, so it is easy to test.
 */
public final class Placer {

    /** An instance already placed on a node. */
    public record Placed(String nodeId, String app, Resources resources) {
    }

    private Placer() {
    }

    /**
     * @return node ids, one per new instance, or empty when the cluster cannot take them all
     */
    public static Optional<List<String>> place(String app, int count, Resources each, Collection<NodeInfo> nodes,
            Collection<Placed> existing) {
        Map<String, Resources> used = new HashMap<>();
        Map<String, Integer> sameApp = new HashMap<>();
        for (Placed placed : existing) {
            used.merge(placed.nodeId(), placed.resources(), Resources::plus);
            if (placed.app().equals(app)) {
                sameApp.merge(placed.nodeId(), 1, Integer::sum);
            }
        }
        Map<String, NodeInfo> candidates = new TreeMap<>();
        for (NodeInfo node : nodes) {
            if (!node.maintenance()) {
                candidates.put(node.nodeId(), node);
            }
        }
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, Integer> perZone = new HashMap<>();
            for (NodeInfo node : candidates.values()) {
                perZone.merge(node.zone(), sameApp.getOrDefault(node.nodeId(), 0), Integer::sum);
            }
            Optional<NodeInfo> best = candidates.values().stream()
                    .filter(node -> used.getOrDefault(node.nodeId(), Resources.NONE).plus(each).fitsWithin(node.capacity()))
                    .min(Comparator.<NodeInfo>comparingInt(node -> perZone.get(node.zone()))
                            .thenComparingDouble(node -> weight(node, used, sameApp, each))
                            .thenComparing(NodeInfo::nodeId));
            if (best.isEmpty()) {
                return Optional.empty();
            }
            String nodeId = best.get().nodeId();
            chosen.add(nodeId);
            used.merge(nodeId, each, Resources::plus);
            sameApp.merge(nodeId, 1, Integer::sum);
        }
        return Optional.of(chosen);
    }

    private static double weight(NodeInfo node, Map<String, Resources> used, Map<String, Integer> sameApp,
            Resources each) {
        Resources after = used.getOrDefault(node.nodeId(), Resources.NONE).plus(each);
        Resources capacity = node.capacity();
        double memory = capacity.memoryMb() == 0 ? 1 : (double) after.memoryMb() / capacity.memoryMb();
        double cpu = capacity.cpuShares() == 0 ? 1 : (double) after.cpuShares() / capacity.cpuShares();
        return 2.0 * sameApp.getOrDefault(node.nodeId(), 0) + memory + cpu;
    }
}
