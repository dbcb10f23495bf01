import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import io.atoll.platform.placement.Placement;
import io.atoll.platform.placement.Placer;
import io.atoll.platform.placement.Placer.Placed;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * Placement benchmark (issue 10 item 7), run by bench/placement/run: places APPS apps of PER_APP
 * instances each (mixed sizes) on NODES nodes (mixed sizes) in ZONES zones with one Placer, as a
 * reconcile pass over every app would, and checks the result independently of the Placer's own
 * bookkeeping: capacity of every node, zone spread per app and over the cluster, the fullest node.
 *
 * <p>Timing, in one JVM: the first run (cold: class loading, interpreter), WARMUP runs, then RUNS timed
 * runs (median, min, max). Then the cost of one reconcile's placement on the full cluster (a Placer
 * built from all placed instances, then one app of PER_APP placed), and, with BASELINE=1, the Placer
 * before issue 10 (its code copied below) on the same input.
 *
 * <p>Arguments: nodes zones apps perApp warmup runs seed baseline(0|1).
 */
public final class PlacementBench {

    record App(String name, Resources each) {
    }

    record Cluster(List<NodeInfo> nodes, List<App> apps) {
    }

    // Node types (memory MB, CPU shares at 1024 a core, container slots) and their shares of the nodes.
    static final Resources[] NODE_TYPES = {
        new Resources(16_384, 8_192, 48), new Resources(32_768, 16_384, 96), new Resources(65_536, 32_768, 192)};
    static final int[] NODE_TYPE_PERCENT = {40, 40, 20};
    // Instance sizes: memory MB with its share of the apps, CPU shares with theirs.
    static final long[] APP_MEMORY = {256, 512, 1024, 2048, 4096};
    static final int[] APP_MEMORY_PERCENT = {25, 30, 25, 15, 5};
    static final long[] APP_CPU = {128, 256, 512, 1024};
    static final int[] APP_CPU_PERCENT = {30, 35, 25, 10};

    public static void main(String[] args) {
        int nodeCount = Integer.parseInt(args[0]);
        int zoneCount = Integer.parseInt(args[1]);
        int appCount = Integer.parseInt(args[2]);
        int perApp = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        int runs = Integer.parseInt(args[5]);
        long seed = Long.parseLong(args[6]);
        boolean baseline = args[7].equals("1");

        Cluster cluster = cluster(nodeCount, zoneCount, appCount, seed);
        describeInput(cluster, perApp);

        long start = System.nanoTime();
        List<String>[] first = placeAll(cluster, perApp);
        long cold = System.nanoTime() - start;
        Verdict verdict = verify(cluster, perApp, first);
        int firstHash = Arrays.deepHashCode(first);

        for (int i = 0; i < warmup; i++) {
            placeAll(cluster, perApp);
        }
        long[] times = new long[runs];
        boolean sameEveryRun = true;
        for (int i = 0; i < runs; i++) {
            start = System.nanoTime();
            List<String>[] result = placeAll(cluster, perApp);
            times[i] = System.nanoTime() - start;
            sameEveryRun &= Arrays.deepHashCode(result) == firstHash && Arrays.deepEquals(result, first);
        }
        Arrays.sort(times);
        int instances = appCount * perApp;
        System.out.printf("%ntime to place %,d instances of %,d apps on %d nodes (one Placer, one place() per app):%n",
                instances, appCount, nodeCount);
        System.out.printf("  cold first run:   %8.1f ms%n", cold / 1e6);
        System.out.printf("  after %d warm-up runs, %d runs: median %.1f ms, min %.1f ms, max %.1f ms (%.2f µs per instance at the median)%n",
                warmup, runs, times[runs / 2] / 1e6, times[0] / 1e6, times[runs - 1] / 1e6,
                times[runs / 2] / 1e3 / instances);
        System.out.printf("  every run placed the same instances on the same nodes: %s%n", sameEveryRun ? "yes" : "NO");
        verdict.print();

        reconcileOnFullCluster(cluster, perApp, first);

        if (baseline) {
            oldPlacer(cluster, perApp);
        }

        boolean accepted = verdict.overCapacity == 0 && verdict.zoneCountsWithinOne && cold < 1_000_000_000L
                && times[runs / 2] < 1_000_000_000L && verdict.unplaced == 0 && sameEveryRun;
        System.out.printf("%nacceptance (issue 10: under 1 s for all, zone counts within 1, no node over capacity): %s%n",
                accepted ? "MET" : "NOT MET");
        System.out.printf("RESULT cold_ms=%.1f median_ms=%.1f min_ms=%.1f max_ms=%.1f zone_counts=%s app_spread_max=%d"
                + " fullest_memory=%.3f fullest_cpu=%.3f over_capacity=%d accepted=%s%n",
                cold / 1e6, times[runs / 2] / 1e6, times[0] / 1e6, times[runs - 1] / 1e6,
                verdict.zoneCounts.values().toString().replace(" ", ""), verdict.maxAppSpread, verdict.fullestMemory,
                verdict.fullestCpu, verdict.overCapacity, accepted);
        if (!accepted) {
            System.exit(1);
        }
    }

    static Cluster cluster(int nodeCount, int zoneCount, int appCount, long seed) {
        Random random = new Random(seed);
        List<NodeInfo> nodes = new ArrayList<>(nodeCount);
        for (int i = 0; i < nodeCount; i++) {
            Resources capacity = NODE_TYPES[pick(random, NODE_TYPE_PERCENT)];
            String zone = String.valueOf((char) ('a' + i % zoneCount));
            nodes.add(new NodeInfo(String.format("node-%04d", i), "10.0." + i / 250 + "." + i % 250, zone, "r1",
                    capacity, Resources.NONE, false, "bench"));
        }
        List<App> apps = new ArrayList<>(appCount);
        for (int i = 0; i < appCount; i++) {
            Resources each = new Resources(APP_MEMORY[pick(random, APP_MEMORY_PERCENT)], APP_CPU[pick(random, APP_CPU_PERCENT)], 1);
            apps.add(new App(String.format("app-%05d", i), each));
        }
        return new Cluster(List.copyOf(nodes), List.copyOf(apps));
    }

    static int pick(Random random, int[] percents) {
        int roll = random.nextInt(100);
        for (int i = 0; i < percents.length; i++) {
            roll -= percents[i];
            if (roll < 0) {
                return i;
            }
        }
        return percents.length - 1;
    }

    @SuppressWarnings("unchecked")
    static List<String>[] placeAll(Cluster cluster, int perApp) {
        List<String>[] result = new List[cluster.apps().size()];
        Placer placer = Placer.of(cluster.nodes(), List.of());
        for (int i = 0; i < result.length; i++) {
            App app = cluster.apps().get(i);
            Placement placement = placer.place(app.name(), perApp, app.each());
            result[i] = placement.complete() ? placement.nodeIds() : null;
        }
        return result;
    }

    static void describeInput(Cluster cluster, int perApp) {
        long memory = 0;
        long cpu = 0;
        long slots = 0;
        Map<String, Integer> perZone = new TreeMap<>();
        for (NodeInfo node : cluster.nodes()) {
            memory += node.capacity().memoryMb();
            cpu += node.capacity().cpuShares();
            slots += node.capacity().containers();
            perZone.merge(node.zone(), 1, Integer::sum);
        }
        long wantMemory = 0;
        long wantCpu = 0;
        for (App app : cluster.apps()) {
            wantMemory += app.each().memoryMb() * perApp;
            wantCpu += app.each().cpuShares() * perApp;
        }
        System.out.printf("cluster: %d nodes, per zone %s; node types %s MB/shares/slots at %s%%%n", cluster.nodes().size(),
                perZone, types(), Arrays.toString(NODE_TYPE_PERCENT));
        System.out.printf("apps: %,d of %d instances, memory %s MB at %s%%, CPU %s shares at %s%%%n", cluster.apps().size(),
                perApp, Arrays.toString(APP_MEMORY), Arrays.toString(APP_MEMORY_PERCENT), Arrays.toString(APP_CPU),
                Arrays.toString(APP_CPU_PERCENT));
        System.out.printf("demand / capacity: memory %.1f%%, CPU %.1f%%, container slots %.1f%%%n",
                100.0 * wantMemory / memory, 100.0 * wantCpu / cpu, 100.0 * cluster.apps().size() * perApp / slots);
    }

    static String types() {
        List<String> out = new ArrayList<>();
        for (Resources type : NODE_TYPES) {
            out.add(type.memoryMb() + "/" + type.cpuShares() + "/" + type.containers());
        }
        return out.toString();
    }

    /** What the placement did, tallied from the node ids alone. */
    static final class Verdict {
        int unplaced;
        int overCapacity;
        Map<String, Integer> zoneCounts = new TreeMap<>();
        boolean zoneCountsWithinOne;
        int maxAppSpread;
        Map<Integer, Integer> appsBySpread = new TreeMap<>();
        String fullest;
        double fullestMemory;
        double fullestCpu;
        String fullestLine;
        double meanMemory;
        double meanCpu;
        double minMemory;
        double maxMemory;
        double minLoad = Double.MAX_VALUE;
        double maxLoad;

        void print() {
            System.out.printf("%nresult, checked from the node ids alone:%n");
            System.out.printf("  apps not placed: %d; nodes over capacity (memory, CPU or slots): %d%n", unplaced, overCapacity);
            System.out.printf("  instances per zone: %s (max - min = %d: %s)%n", zoneCounts,
                    zoneCounts.values().stream().max(Integer::compare).orElse(0)
                            - zoneCounts.values().stream().min(Integer::compare).orElse(0),
                    zoneCountsWithinOne ? "within 1" : "NOT within 1");
            System.out.printf("  per app, max - min instances over the zones: %s apps by that spread; largest %d%n",
                    appsBySpread, maxAppSpread);
            System.out.printf("  fullest node: %s%n", fullestLine);
            System.out.printf("  memory use over the nodes: mean %.1f%%, min %.1f%%, max %.1f%%; CPU mean %.1f%%%n",
                    100 * meanMemory, 100 * minMemory, 100 * maxMemory, 100 * meanCpu);
            System.out.printf("  memory + CPU shares in use (the weight without its same-app term): min %.3f, max %.3f%n",
                    minLoad, maxLoad);
        }
    }

    static Verdict verify(Cluster cluster, int perApp, List<String>[] result) {
        Verdict verdict = new Verdict();
        Map<String, NodeInfo> nodes = new HashMap<>();
        Map<String, long[]> used = new HashMap<>();
        for (NodeInfo node : cluster.nodes()) {
            nodes.put(node.nodeId(), node);
            used.put(node.nodeId(), new long[3]);
            verdict.zoneCounts.put(node.zone(), 0);
        }
        for (int i = 0; i < result.length; i++) {
            if (result[i] == null || result[i].size() != perApp) {
                verdict.unplaced++;
                continue;
            }
            App app = cluster.apps().get(i);
            Map<String, Integer> appZones = new TreeMap<>();
            verdict.zoneCounts.keySet().forEach(z -> appZones.put(z, 0));
            for (String nodeId : result[i]) {
                long[] u = used.get(nodeId);
                u[0] += app.each().memoryMb();
                u[1] += app.each().cpuShares();
                u[2] += app.each().containers();
                String zone = nodes.get(nodeId).zone();
                verdict.zoneCounts.merge(zone, 1, Integer::sum);
                appZones.merge(zone, 1, Integer::sum);
            }
            int spread = appZones.values().stream().max(Integer::compare).orElse(0)
                    - appZones.values().stream().min(Integer::compare).orElse(0);
            verdict.appsBySpread.merge(spread, 1, Integer::sum);
            verdict.maxAppSpread = Math.max(verdict.maxAppSpread, spread);
        }
        verdict.zoneCountsWithinOne = verdict.zoneCounts.values().stream().max(Integer::compare).orElse(0)
                - verdict.zoneCounts.values().stream().min(Integer::compare).orElse(0) <= 1;
        double fullestShare = -1;
        verdict.minMemory = Double.MAX_VALUE;
        for (NodeInfo node : cluster.nodes()) {
            long[] u = used.get(node.nodeId());
            Resources c = node.capacity();
            if (u[0] > c.memoryMb() || u[1] > c.cpuShares() || u[2] > c.containers()) {
                verdict.overCapacity++;
            }
            double memory = (double) u[0] / c.memoryMb();
            double cpu = (double) u[1] / c.cpuShares();
            verdict.meanMemory += memory / cluster.nodes().size();
            verdict.meanCpu += cpu / cluster.nodes().size();
            verdict.minMemory = Math.min(verdict.minMemory, memory);
            verdict.maxMemory = Math.max(verdict.maxMemory, memory);
            verdict.minLoad = Math.min(verdict.minLoad, memory + cpu);
            verdict.maxLoad = Math.max(verdict.maxLoad, memory + cpu);
            if (Math.max(memory, cpu) > fullestShare) {
                fullestShare = Math.max(memory, cpu);
                verdict.fullest = node.nodeId();
                verdict.fullestMemory = memory;
                verdict.fullestCpu = cpu;
                verdict.fullestLine = String.format("%s (zone %s): memory %,d / %,d MB (%.1f%%), CPU %,d / %,d shares"
                        + " (%.1f%%), %d / %d containers", node.nodeId(), node.zone(), u[0], c.memoryMb(), 100 * memory,
                        u[1], c.cpuShares(), 100 * cpu, u[2], c.containers());
            }
        }
        return verdict;
    }

    /**
     * A level-based reconcile of one app places against the whole cluster: a Placer built from every
     * instance in SQL, then the app's instances. Timed per call, on the full cluster.
     */
    static void reconcileOnFullCluster(Cluster cluster, int perApp, List<String>[] result) {
        List<Placed> existing = new ArrayList<>();
        for (int i = 0; i < result.length; i++) {
            for (String nodeId : result[i]) {
                existing.add(new Placed(nodeId, cluster.apps().get(i).name(), cluster.apps().get(i).each()));
            }
        }
        Resources each = new Resources(512, 256, 1);
        int calls = 200;
        long[] build = new long[calls];
        long[] place = new long[calls];
        for (int round = 0; round < 2; round++) { // the first round warms up
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                Placer placer = Placer.of(cluster.nodes(), existing);
                long t1 = System.nanoTime();
                Placement placement = placer.place("new-app-" + i, perApp, each);
                long t2 = System.nanoTime();
                if (!placement.complete()) {
                    throw new IllegalStateException(placement.shortage().describe());
                }
                build[i] = t1 - t0;
                place[i] = t2 - t1;
            }
        }
        Arrays.sort(build);
        Arrays.sort(place);
        System.out.printf("%none reconcile's placement on the full cluster (%,d instances in SQL), %d calls after as many to warm up:%n",
                existing.size(), calls);
        System.out.printf("  Placer.of(500 nodes, %,d existing): median %.2f ms, min %.2f ms; place(%d more): median %.1f µs%n",
                existing.size(), build[calls / 2] / 1e6, build[0] / 1e6, perApp, place[calls / 2] / 1e3);
    }

    /** The Placer before issue 10, same input: one call per app with every instance placed so far. */
    static void oldPlacer(Cluster cluster, int perApp) {
        System.out.printf("%nbaseline: the Placer before issue 10 (scan of every node per instance, per-zone sums"
                + " recomputed, every existing instance re-read per call), same input:%n");
        long[] times = new long[3];
        List<String>[] last = null;
        for (int run = 0; run < times.length; run++) {
            @SuppressWarnings("unchecked")
            List<String>[] result = new List[cluster.apps().size()];
            List<Placed> existing = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < result.length; i++) {
                App app = cluster.apps().get(i);
                Optional<List<String>> placed = OldPlacer.place(app.name(), perApp, app.each(), cluster.nodes(), existing);
                result[i] = placed.orElse(null);
                if (result[i] != null) {
                    for (String nodeId : result[i]) {
                        existing.add(new Placed(nodeId, app.name(), app.each()));
                    }
                }
            }
            times[run] = System.nanoTime() - start;
            last = result;
        }
        System.out.printf("  runs: %s ms (the first cold)%n", Arrays.stream(times).mapToObj(t -> String.format("%.0f", t / 1e6)).toList());
        Verdict verdict = verify(cluster, perApp, last);
        System.out.printf("  instances per zone: %s (%s); largest per-app spread %d; over capacity %d; fullest: %s%n",
                verdict.zoneCounts, verdict.zoneCountsWithinOne ? "within 1" : "NOT within 1", verdict.maxAppSpread,
                verdict.overCapacity, verdict.fullestLine);
    }

    /** platform-api's Placer.place as of f83bf61 (before issue 10 item 7), unchanged but for its name. */
    static final class OldPlacer {
        static Optional<List<String>> place(String app, int count, Resources each, Collection<NodeInfo> nodes,
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
}
