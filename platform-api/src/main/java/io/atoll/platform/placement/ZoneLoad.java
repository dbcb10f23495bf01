package io.atoll.platform.placement;

import io.atoll.model.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One zone's live nodes, indexed for {@link Placer}: one ordered set per capacity class (same memory
 * and CPU capacity), lowest load first, and the number of instances in the zone.
 */
final class ZoneLoad {

    private record CapacityClass(long memory, long cpu) {
    }

    final String name;
    final int index;
    /** Instances of every app on this zone's live nodes. */
    int instances;

    private final Map<CapacityClass, TreeSet<NodeLoad>> byClass = new HashMap<>();
    /** The same sets as {@link #byClass}, for iteration without a map lookup. */
    private final List<TreeSet<NodeLoad>> classes = new ArrayList<>();

    ZoneLoad(String name, int index) {
        this.name = name;
        this.index = index;
    }

    void addNode(NodeLoad node) {
        node.index = indexOf(node);
        node.index.add(node);
    }

    /** Places or removes ({@code sign} -1) one instance on a live node of this zone, keeping the index in order. */
    void change(NodeLoad node, Resources resources, int sign) {
        node.index.remove(node);
        node.change(resources, sign);
        node.index.add(node);
        instances += sign;
    }

    /**
     * The node with the lowest (weight, id) for one more instance of {@code each} of {@code app}, or null
     * when no live node of the zone has room. Nodes without the app: the first that fits in each capacity
     * class (within a class the load order is the weight order); nodes with the app: each one, from the
     * app's own map, which is small.
     */
    NodeLoad best(Placer.AppLoad app, Resources each) {
        NodeLoad best = null;
        double bestWeight = 0;
        boolean appHere = app.perZone[index] > 0;
        for (TreeSet<NodeLoad> set : classes) {
            for (NodeLoad node : set) {
                if (appHere && app.perNode.containsKey(node)) {
                    continue;
                }
                if (!node.fits(each)) {
                    continue;
                }
                double weight = node.weight(0, each);
                if (best == null || weight < bestWeight || (weight == bestWeight && node.id.compareTo(best.id) < 0)) {
                    best = node;
                    bestWeight = weight;
                }
                break;
            }
        }
        if (appHere) {
            for (Map.Entry<NodeLoad, Integer> entry : app.perNode.entrySet()) {
                NodeLoad node = entry.getKey();
                if (node.zone != index || !node.fits(each)) {
                    continue;
                }
                double weight = node.weight(entry.getValue(), each);
                if (best == null || weight < bestWeight || (weight == bestWeight && node.id.compareTo(best.id) < 0)) {
                    best = node;
                    bestWeight = weight;
                }
            }
        }
        return best;
    }

    private TreeSet<NodeLoad> indexOf(NodeLoad node) {
        return byClass.computeIfAbsent(new CapacityClass(node.capacityClassMemory(), node.capacityClassCpu()), c -> {
            TreeSet<NodeLoad> set = new TreeSet<>(NodeLoad.BY_LOAD);
            classes.add(set);
            return set;
        });
    }
}
