package io.atoll.platform.placement;

import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Placement of DESIGN §5: which node each new instance of an app goes to, and which instance goes first
 * when an app shrinks.
 *
 * <h2>Rules</h2>
 * <ol>
 * <li>Only live nodes take instances: not those with {@code NodeInfo.maintenance()}, not those the
 * {@link Skips} put in maintenance or exclude (lost nodes). Instances on skipped nodes count for nothing.
 * <li>Zones first: each instance goes to the zone, among those where it fits, with the fewest instances of
 * its app; on a tie, the zone with the fewest instances of all apps (so that the cluster's zones fill
 * evenly too), then the zone's name.
 * <li>Inside the zone, the node with the lowest weight: 2 per instance of the same app already on it, plus
 * the fractions of its memory and of its CPU shares in use once the instance is there. On a tie, the
 * lowest node id.
 * <li>Never over capacity: an instance goes only where memory (MB), CPU shares and container slots all
 * fit, counting what the {@code existing} instances use. {@code NodeInfo.usage()} is not read: the
 * instances assigned in SQL are the one account of what a node is committed to.
 * </ol>
 *
 * <h2>API</h2>
 * A {@code Placer} is built from one snapshot and then plans against its own copy of the load: each
 * placement or removal it returns is also recorded, so the next call sees it. It does no I/O and reads no
 * clock; the same inputs give the same answers. It is not thread-safe: build one per reconcile pass.
 * <pre>{@code
 * Placer placer = Placer.of(cluster.liveNodes(), existing, Skips.of(inMaintenance, lostNodes));
 *
 * // a deploy or a scale-up: all or nothing; a shortage becomes a 409 problem
 * List<String> nodeIds = placer.place("web", 4, new Resources(512, 256, 1))
 *         .nodeIdsOrThrow(s -> ApiException.conflict(s.describe(), s.problemProperties()));
 *
 * // replacing the instances of a lost node (excluded above): place what fits now, retry the rest later
 * Placement replacements = placer.placeWhatFits("web", 2, each);
 *
 * // a scale-down: the instances to stop first, among the app's own (all in existing)
 * List<DesiredInstance> stop = placer.chooseToRemove("web", 1, instancesOfWeb,
 *         i -> new Placer.Placed(i.nodeId(), i.app(), new Resources(i.memoryMb(), i.cpuShares(), 1)));
 * }</pre>
 * <ul>
 * <li>{@link #of(Collection, Collection, Skips)}: nodes as registered, {@link Placed} instances of every
 * app (the same app's included: placing N more of an app spreads them around those it already has).
 * Instances on nodes not in {@code nodes} are ignored.
 * <li>{@link #place(String, int, Resources)}: every instance placed, or none and a {@link Shortage}.
 * <li>{@link #placeWhatFits}: as many as fit, and the {@link Shortage} of the rest.
 * <li>{@link #chooseToRemove}: first the instances on excluded or unknown nodes, then those on nodes in
 * maintenance, then one at a time from the zone with the most instances of the app (then the zone with the
 * most instances in all), from its node with the highest weight (most instances of the app, fullest).
 * Instances on the same node are taken in the caller's order, so the caller can put the ones it would
 * rather lose (unhealthy, older release) first.
 * </ul>
 *
 * <h2>Cost</h2>
 * Each zone keeps its live nodes in ordered sets, one per capacity class (same memory and CPU capacity),
 * lowest load first. Within a class a node's weight for a given instance is its load plus the same amount,
 * so the first node that fits and has none of the app is the class's best; nodes that have the app are read
 * from the app's own map. One instance costs O(zones + classes × log nodes + nodes of its app) while the
 * lightest nodes have room; nodes without room are stepped over, so a nearly full zone costs up to a scan of
 * it, and a zone found full is not searched again within the call. {@code bench/placement/run} places
 * 10,000 instances on 500 nodes (docs/benchmarks.md).
 */
public final class Placer {

    /** An instance already on a node: which app, and what it uses there. */
    public record Placed(String nodeId, String app, Resources resources) {

        public Placed {
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(app, "app");
            Objects.requireNonNull(resources, "resources");
        }
    }

    /** One app's instances on live nodes: per node and per zone. */
    static final class AppLoad {
        final Map<NodeLoad, Integer> perNode = new HashMap<>();
        final int[] perZone;

        AppLoad(int zones) {
            perZone = new int[zones];
        }
    }

    private final Map<String, NodeLoad> nodes;
    /** Zones of live nodes, by name; a zone's index is its place here. */
    private final ZoneLoad[] zones;
    private final Map<String, AppLoad> apps = new HashMap<>();
    private final int inMaintenance;
    private final int excluded;

    private Placer(Collection<NodeInfo> infos, Collection<Placed> existing, Skips skips) {
        Map<String, NodeInfo> byId = new TreeMap<>();
        for (NodeInfo info : infos) {
            byId.put(info.nodeId(), info);
        }
        TreeMap<String, Integer> zoneIndex = new TreeMap<>();
        int maintenance = 0;
        int skipped = 0;
        List<NodeInfo> live = new ArrayList<>();
        nodes = new LinkedHashMap<>();
        for (NodeInfo info : byId.values()) {
            if (skips.excluded().test(info.nodeId())) {
                skipped++;
                nodes.put(info.nodeId(), new NodeLoad(info, -1, NodeLoad.State.EXCLUDED));
            } else if (info.maintenance() || skips.inMaintenance().test(info.nodeId())) {
                maintenance++;
                nodes.put(info.nodeId(), new NodeLoad(info, -1, NodeLoad.State.MAINTENANCE));
            } else {
                live.add(info);
                zoneIndex.put(zoneOf(info), 0);
            }
        }
        inMaintenance = maintenance;
        excluded = skipped;
        zones = new ZoneLoad[zoneIndex.size()];
        int next = 0;
        for (Map.Entry<String, Integer> zone : zoneIndex.entrySet()) {
            zone.setValue(next);
            zones[next] = new ZoneLoad(zone.getKey(), next);
            next++;
        }
        Map<String, NodeLoad> liveLoads = new HashMap<>();
        for (NodeInfo info : live) {
            liveLoads.put(info.nodeId(), new NodeLoad(info, zoneIndex.get(zoneOf(info)), NodeLoad.State.LIVE));
        }
        // Use first, index after: the ordered sets are built once, from final loads.
        for (Placed placed : existing) {
            NodeLoad node = liveLoads.get(placed.nodeId());
            if (node != null) {
                node.change(placed.resources(), 1);
                zones[node.zone].instances++;
                AppLoad app = apps.computeIfAbsent(placed.app(), a -> new AppLoad(zones.length));
                app.perNode.merge(node, 1, Integer::sum);
                app.perZone[node.zone]++;
            } else if (nodes.containsKey(placed.nodeId())) {
                nodes.get(placed.nodeId()).change(placed.resources(), 1);
            }
        }
        for (NodeLoad node : liveLoads.values()) {
            zones[node.zone].addNode(node);
            nodes.put(node.id, node);
        }
    }

    /**
     * A placer for one snapshot of the cluster.
     *
     * @param nodes the registered nodes (a node id given twice: the last one counts)
     * @param existing every instance assigned to a node, of every app
     * @param skips nodes in maintenance or excluded, besides those with {@code NodeInfo.maintenance()}
     */
    public static Placer of(Collection<NodeInfo> nodes, Collection<Placed> existing, Skips skips) {
        return new Placer(nodes, existing, Objects.requireNonNull(skips, "skips"));
    }

    /** A placer that skips only the nodes with {@code NodeInfo.maintenance()}. */
    public static Placer of(Collection<NodeInfo> nodes, Collection<Placed> existing) {
        return of(nodes, existing, Skips.none());
    }

    /**
     * Places {@code count} instances of {@code app}, all or none. When all fit they are recorded in this
     * placer; otherwise nothing is, and the placement carries the {@link Shortage}.
     *
     * @param each what one instance needs; at least one container slot
     * @throws IllegalArgumentException for a negative count, negative resources, or no container slot
     */
    public Placement place(String app, int count, Resources each) {
        return place(app, count, each, false);
    }

    /**
     * Places as many of {@code count} instances of {@code app} as fit, records them in this placer, and
     * returns them with the {@link Shortage} of the rest, if any.
     *
     * @throws IllegalArgumentException as {@link #place(String, int, Resources)}
     */
    public Placement placeWhatFits(String app, int count, Resources each) {
        return place(app, count, each, true);
    }

    /**
     * Chooses up to {@code count} of {@code instances} to remove (the order of the class Javadoc), records
     * their removal in this placer, and returns them in the order chosen.
     *
     * @param instances instances of {@code app}, each one also among the {@code existing} given to
     *     {@link #of}; among instances on one node, the earlier ones are removed first
     * @param placedOf what placement knows of an instance
     * @throws IllegalArgumentException for a negative count, an instance of another app, or more instances
     *     on a live node than {@code existing} had
     */
    public <T> List<T> chooseToRemove(String app, int count, Collection<T> instances,
            Function<? super T, Placed> placedOf) {
        Objects.requireNonNull(app, "app");
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        AppLoad known = apps.get(app);
        AppLoad load = known == null ? new AppLoad(zones.length) : known;
        List<T> items = new ArrayList<>(instances.size());
        List<Placed> placed = new ArrayList<>(instances.size());
        List<NodeLoad> on = new ArrayList<>(instances.size());
        Map<NodeLoad, Integer> perLiveNode = new HashMap<>();
        for (T instance : instances) {
            Placed p = placedOf.apply(instance);
            if (!p.app().equals(app)) {
                throw new IllegalArgumentException("an instance of " + p.app() + " among those of " + app);
            }
            NodeLoad node = nodes.get(p.nodeId());
            if (node != null && node.state == NodeLoad.State.LIVE
                    && perLiveNode.merge(node, 1, Integer::sum) > load.perNode.getOrDefault(node, 0)) {
                throw new IllegalArgumentException("more instances of " + app + " on " + node.id
                        + " than the placer was given");
            }
            items.add(instance);
            placed.add(p);
            on.add(node);
        }
        List<T> chosen = new ArrayList<>(Math.min(count, items.size()));
        while (chosen.size() < count && !items.isEmpty()) {
            int pick = nextToRemove(load, on);
            NodeLoad node = on.remove(pick);
            Resources resources = placed.remove(pick).resources();
            chosen.add(items.remove(pick));
            if (node != null && node.state == NodeLoad.State.LIVE) {
                change(load, node, resources, -1);
            } else if (node != null) {
                node.change(resources, -1);
            }
        }
        if (known != null && load.perNode.isEmpty()) {
            apps.remove(app);
        }
        return chosen;
    }

    /** {@link #chooseToRemove(String, int, Collection, Function)} for instances known only as {@link Placed}. */
    public List<Placed> chooseToRemove(String app, int count, Collection<Placed> instances) {
        return chooseToRemove(app, count, instances, Function.identity());
    }

    /** What the instances this placer knows of use on a node (those placed by it included); NONE if unknown. */
    public Resources used(String nodeId) {
        NodeLoad node = nodes.get(nodeId);
        return node == null ? Resources.NONE : new Resources(node.memory, node.cpu, node.slots);
    }

    /** Instances of {@code app} per zone of live nodes (every such zone, sorted). */
    public Map<String, Integer> zoneCounts(String app) {
        AppLoad load = apps.get(app);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ZoneLoad zone : zones) {
            counts.put(zone.name, load == null ? 0 : load.perZone[zone.index]);
        }
        return counts;
    }

    /** Instances of all apps per zone of live nodes (every such zone, sorted). */
    public Map<String, Integer> zoneCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ZoneLoad zone : zones) {
            counts.put(zone.name, zone.instances);
        }
        return counts;
    }

    /**
     * The placement of before issue 10, kept while its one caller moves to {@link #of}: node ids, or empty
     * when not all fit.
     *
     * @deprecated use {@code Placer.of(nodes, existing, skips).place(app, count, each)}, whose
     *     {@link Placement} says what is short
     */
    @Deprecated
    public static Optional<List<String>> place(String app, int count, Resources each, Collection<NodeInfo> nodes,
            Collection<Placed> existing) {
        Placement placement = of(nodes, existing).place(app, count, each);
        return placement.complete() ? Optional.of(placement.nodeIds()) : Optional.empty();
    }

    private Placement place(String app, int count, Resources each, boolean whatFits) {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(each, "each");
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        if (each.memoryMb() < 0 || each.cpuShares() < 0 || each.containers() < 1) {
            throw new IllegalArgumentException("an instance needs memory and CPU of at least 0 and one container slot: "
                    + each);
        }
        AppLoad load = apps.computeIfAbsent(app, a -> new AppLoad(zones.length));
        List<NodeLoad> chosen = new ArrayList<>(Math.min(count, 1024));
        boolean[] full = new boolean[zones.length];
        while (chosen.size() < count) {
            NodeLoad node = next(load, each, full);
            if (node == null) {
                break;
            }
            change(load, node, each, 1);
            chosen.add(node);
        }
        if (chosen.size() == count) {
            if (load.perNode.isEmpty()) {
                apps.remove(app);
            }
            return Placement.of(ids(chosen));
        }
        for (int i = chosen.size() - 1; i >= 0; i--) {
            change(load, chosen.get(i), each, -1);
        }
        Shortage shortage = shortage(app, count, each);
        if (!whatFits) {
            if (load.perNode.isEmpty()) {
                apps.remove(app);
            }
            return Placement.partial(List.of(), shortage);
        }
        for (NodeLoad node : chosen) {
            change(load, node, each, 1);
        }
        if (load.perNode.isEmpty()) {
            apps.remove(app);
        }
        return Placement.partial(ids(chosen), shortage);
    }

    /** The node for one more instance: zone with fewest of the app, then of all apps; its lowest weight. */
    private NodeLoad next(AppLoad load, Resources each, boolean[] full) {
        while (true) {
            int best = -1;
            for (int z = 0; z < zones.length; z++) {
                if (full[z]) {
                    continue;
                }
                if (best < 0 || load.perZone[z] < load.perZone[best]
                        || (load.perZone[z] == load.perZone[best] && zones[z].instances < zones[best].instances)) {
                    best = z;
                }
            }
            if (best < 0) {
                return null;
            }
            NodeLoad node = zones[best].best(load, each);
            if (node != null) {
                return node;
            }
            // Within one call loads only grow: a zone without room stays without room.
            full[best] = true;
        }
    }

    private int nextToRemove(AppLoad load, List<NodeLoad> on) {
        for (int i = 0; i < on.size(); i++) {
            if (on.get(i) == null || on.get(i).state == NodeLoad.State.EXCLUDED) {
                return i;
            }
        }
        for (int i = 0; i < on.size(); i++) {
            if (on.get(i).state == NodeLoad.State.MAINTENANCE) {
                return i;
            }
        }
        int zone = -1;
        for (NodeLoad node : on) {
            int z = node.zone;
            if (zone < 0 || load.perZone[z] > load.perZone[zone]
                    || (load.perZone[z] == load.perZone[zone] && (zones[z].instances > zones[zone].instances
                            || (zones[z].instances == zones[zone].instances && z < zone)))) {
                zone = z;
            }
        }
        NodeLoad heaviest = null;
        double heaviestWeight = 0;
        for (NodeLoad node : on) {
            if (node.zone != zone) {
                continue;
            }
            double weight = node.weight(load.perNode.getOrDefault(node, 0), Resources.NONE);
            if (heaviest == null || weight > heaviestWeight
                    || (weight == heaviestWeight && node.id.compareTo(heaviest.id) < 0)) {
                heaviest = node;
                heaviestWeight = weight;
            }
        }
        return on.indexOf(heaviest);
    }

    private void change(AppLoad load, NodeLoad node, Resources resources, int sign) {
        zones[node.zone].change(node, resources, sign);
        load.perZone[node.zone] += sign;
        if (load.perNode.merge(node, sign, Integer::sum) == 0) {
            load.perNode.remove(node);
        }
    }

    private Shortage shortage(String app, int count, Resources each) {
        Map<String, Integer> room = new TreeMap<>();
        for (ZoneLoad zone : zones) {
            room.put(zone.name, 0);
        }
        Map<Shortage.Dimension, Integer> shortOn = new EnumMap<>(Shortage.Dimension.class);
        long total = 0;
        int live = 0;
        for (NodeLoad node : nodes.values()) {
            if (node.state != NodeLoad.State.LIVE) {
                continue;
            }
            live++;
            long fits = node.room(each);
            total = saturated(total + fits);
            room.merge(zones[node.zone].name, (int) Math.min(fits, Integer.MAX_VALUE),
                    (a, b) -> (int) Math.min((long) a + b, Integer.MAX_VALUE));
            for (Shortage.Dimension dimension : Shortage.Dimension.values()) {
                if (node.room(dimension, each) == fits) {
                    shortOn.merge(dimension, 1, Integer::sum);
                }
            }
        }
        return new Shortage(app, count, (int) Math.min(total, count), each, room, shortOn, live, inMaintenance, excluded);
    }

    private static long saturated(long sum) {
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static List<String> ids(List<NodeLoad> chosen) {
        List<String> ids = new ArrayList<>(chosen.size());
        for (NodeLoad node : chosen) {
            ids.add(node.id);
        }
        return ids;
    }

    private static String zoneOf(NodeInfo info) {
        return info.zone() == null ? "" : info.zone();
    }
}
