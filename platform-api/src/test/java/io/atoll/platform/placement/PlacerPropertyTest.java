package io.atoll.platform.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import io.atoll.platform.placement.Placer.Placed;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Random clusters (some nodes in maintenance, excluded or already over capacity, instances on unknown
 * nodes) and random sequences of place / placeWhatFits / chooseToRemove, each answer checked against a
 * plain model of DESIGN §5 that scans every node: capacity never exceeded, the zone rule, the lowest
 * weight, all-or-nothing, the shortage's count, the removal order. Seeds 1 to 400 by default;
 * {@code -Dseed=1 -DlastSeed=20000} tries more (20,000 pass, in about 8 s).
 */
class PlacerPropertyTest {

    private static final long[] MEMORY = {0, 512, 1024, 2048, 3000, 4096};
    private static final long[] CPU = {256, 1000, 2048};
    private static final Resources[] SIZES = {
        new Resources(128, 64, 1), new Resources(256, 256, 1), new Resources(512, 128, 1),
        new Resources(1024, 512, 1), new Resources(300, 0, 1), new Resources(0, 700, 1)};

    /** What DESIGN §5 says, written the plain way: every question answered by scanning every live node. */
    private static final class Model {
        final Map<String, NodeInfo> live = new TreeMap<>();
        final Map<String, long[]> used = new HashMap<>();
        final Map<String, Map<String, Integer>> perApp = new HashMap<>();

        boolean fits(String node, Resources each) {
            Resources capacity = live.get(node).capacity();
            long[] u = used.get(node);
            return u[0] + each.memoryMb() <= capacity.memoryMb() && u[1] + each.cpuShares() <= capacity.cpuShares()
                    && u[2] + each.containers() <= capacity.containers();
        }

        int same(String app, String node) {
            return perApp.getOrDefault(app, Map.of()).getOrDefault(node, 0);
        }

        double weight(String app, String node, Resources each) {
            Resources capacity = live.get(node).capacity();
            long[] u = used.get(node);
            return 2.0 * same(app, node) + (double) (u[0] + each.memoryMb()) / Math.max(1, capacity.memoryMb())
                    + (double) (u[1] + each.cpuShares()) / Math.max(1, capacity.cpuShares());
        }

        String zone(String node) {
            return live.get(node).zone();
        }

        int appInZone(String app, String zone) {
            int n = 0;
            for (Map.Entry<String, Integer> e : perApp.getOrDefault(app, Map.of()).entrySet()) {
                n += zone(e.getKey()).equals(zone) ? e.getValue() : 0;
            }
            return n;
        }

        int inZone(String zone) {
            int n = 0;
            for (String node : live.keySet()) {
                n += zone(node).equals(zone) ? (int) used.get(node)[3] : 0;
            }
            return n;
        }

        String expectedZone(String app, Resources each) {
            TreeSet<String> zones = new TreeSet<>();
            for (String node : live.keySet()) {
                if (fits(node, each)) {
                    zones.add(zone(node));
                }
            }
            return zones.stream().min(Comparator.<String>comparingInt(z -> appInZone(app, z))
                    .thenComparingInt(this::inZone).thenComparing(z -> z)).orElse(null);
        }

        double lowestWeight(String app, String zone, Resources each) {
            return live.keySet().stream().filter(n -> zone(n).equals(zone) && fits(n, each))
                    .mapToDouble(n -> weight(app, n, each)).min().orElseThrow();
        }

        long room(Resources each) {
            long room = 0;
            for (String node : live.keySet()) {
                Resources capacity = live.get(node).capacity();
                long[] u = used.get(node);
                // one at a time, as long as it fits
                long[] after = u.clone();
                while (after[0] + each.memoryMb() <= capacity.memoryMb() && after[1] + each.cpuShares() <= capacity.cpuShares()
                        && after[2] + each.containers() <= capacity.containers()) {
                    after[0] += each.memoryMb();
                    after[1] += each.cpuShares();
                    after[2] += each.containers();
                    room++;
                }
            }
            return room;
        }

        void change(Placed placed, int sign) {
            long[] u = used.get(placed.nodeId());
            if (u == null) {
                return;
            }
            u[0] += sign * placed.resources().memoryMb();
            u[1] += sign * placed.resources().cpuShares();
            u[2] += sign * placed.resources().containers();
            u[3] += sign;
            perApp.computeIfAbsent(placed.app(), a -> new HashMap<>()).merge(placed.nodeId(), sign, Integer::sum);
        }
    }

    @Test
    void randomClustersAgreeWithThePlainModelAndNeverGoOverCapacity() {
        int placements = 0;
        int shortages = 0;
        int removals = 0;
        for (long seed = Long.getLong("seed", 1); seed <= Long.getLong("lastSeed", 400); seed++) {
            Random random = new Random(seed);
            int zoneCount = 1 + random.nextInt(4);
            List<NodeInfo> nodes = new ArrayList<>();
            Set<String> maintenance = new HashSet<>();
            Set<String> excluded = new HashSet<>();
            Model model = new Model();
            int nodeCount = random.nextInt(26);
            for (int i = 0; i < nodeCount; i++) {
                String id = "n" + i;
                Resources capacity = new Resources(MEMORY[random.nextInt(MEMORY.length)], CPU[random.nextInt(CPU.length)],
                        random.nextInt(9));
                boolean flagged = random.nextInt(10) == 0;
                NodeInfo node = new NodeInfo(id, "h", "z" + random.nextInt(zoneCount), "r", capacity, Resources.NONE,
                        flagged, "t");
                nodes.add(node);
                int skip = random.nextInt(10);
                if (skip == 0) {
                    maintenance.add(id);
                } else if (skip == 1) {
                    excluded.add(id);
                } else if (!flagged) {
                    model.live.put(id, node);
                    model.used.put(id, new long[4]);
                }
            }
            // existing instances, on any node, unknown ones included, sometimes beyond a node's capacity
            List<Placed> instances = new ArrayList<>();
            int existingCount = random.nextInt(40);
            for (int i = 0; i < existingCount; i++) {
                String node = random.nextInt(12) == 0 ? "ghost" : "n" + random.nextInt(Math.max(1, nodeCount));
                Placed placed = new Placed(node, "app" + random.nextInt(6), SIZES[random.nextInt(SIZES.length)]);
                instances.add(placed);
                model.change(placed, 1);
            }
            Skips skips = random.nextBoolean() ? Skips.of(maintenance, excluded)
                    : new Skips(maintenance::contains, excluded::contains);
            Placer placer = Placer.of(nodes, instances, skips);
            Map<String, long[]> before = new HashMap<>();
            model.used.forEach((id, u) -> before.put(id, u.clone()));

            for (int op = 0; op < 30; op++) {
                String app = "app" + random.nextInt(6);
                int kind = random.nextInt(3);
                if (kind == 2) {
                    List<Placed> mine = instances.stream().filter(p -> p.app().equals(app)).toList();
                    int count = random.nextInt(4);
                    List<Placed> removed = placer.chooseToRemove(app, count, mine);
                    assertThat(removed).hasSize(Math.min(count, mine.size()));
                    List<Placed> left = new ArrayList<>(mine);
                    for (Placed p : removed) {
                        checkRemoval(model, app, left, p);
                        left.remove(p);
                        instances.remove(p);
                        model.change(p, -1);
                        removals++;
                    }
                    continue;
                }
                Resources each = SIZES[random.nextInt(SIZES.length)];
                int count = random.nextInt(9);
                long room = model.room(each);
                Placement placement = kind == 0 ? placer.place(app, count, each) : placer.placeWhatFits(app, count, each);
                if (room >= count) {
                    assertThat(placement.complete()).as("seed %d op %d: %s", seed, op, placement).isTrue();
                    assertThat(placement.nodeIds()).hasSize(count);
                } else {
                    shortages++;
                    Shortage shortage = placement.shortage();
                    assertThat(shortage).isNotNull();
                    assertThat(shortage.fit()).isEqualTo((int) room);
                    assertThat(shortage.roomByZone().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo((int) room);
                    assertThat(shortage.liveNodes()).isEqualTo(model.live.size());
                    assertThat(placement.nodeIds()).hasSize(kind == 0 ? 0 : (int) room);
                    assertThat(shortage.describe()).startsWith("need " + count + " × ");
                }
                for (String node : placement.nodeIds()) {
                    assertThat(model.live).containsKey(node);
                    assertThat(model.fits(node, each)).as("room on %s", node).isTrue();
                    String zone = model.expectedZone(app, each);
                    assertThat(model.zone(node)).as("seed %d: zone of %s", seed, node).isEqualTo(zone);
                    assertThat(model.weight(app, node, each)).as("seed %d: weight of %s", seed, node)
                            .isCloseTo(model.lowestWeight(app, zone, each), within(1e-9));
                    Placed placed = new Placed(node, app, each);
                    instances.add(placed);
                    model.change(placed, 1);
                    placements++;
                }
            }
            // nothing placed went over capacity: a node is within it, or no fuller than it was given
            for (String id : model.live.keySet()) {
                long[] u = model.used.get(id);
                long[] was = before.get(id);
                Resources capacity = model.live.get(id).capacity();
                assertThat(u[0] <= Math.max(capacity.memoryMb(), was[0])).isTrue();
                assertThat(u[1] <= Math.max(capacity.cpuShares(), was[1])).isTrue();
                assertThat(u[2] <= Math.max(capacity.containers(), was[2])).isTrue();
                assertThat(placer.used(id)).isEqualTo(new Resources(u[0], u[1], (int) u[2]));
            }
        }
        // the random cases exercised every path
        assertThat(placements).isGreaterThan(1000);
        assertThat(shortages).isGreaterThan(300);
        assertThat(removals).isGreaterThan(300);
    }

    /** Unavailable nodes first; else from a zone with the most of the app, its heaviest node among the candidates. */
    private static void checkRemoval(Model model, String app, List<Placed> left, Placed removed) {
        boolean anyUnavailable = left.stream().anyMatch(p -> !model.live.containsKey(p.nodeId()));
        if (anyUnavailable) {
            assertThat(model.live).doesNotContainKey(removed.nodeId());
            return;
        }
        int most = left.stream().mapToInt(p -> model.appInZone(app, model.zone(p.nodeId()))).max().orElseThrow();
        String zone = model.zone(removed.nodeId());
        assertThat(model.appInZone(app, zone)).isEqualTo(most);
        double heaviest = left.stream().filter(p -> model.zone(p.nodeId()).equals(zone))
                .mapToDouble(p -> model.weight(app, p.nodeId(), Resources.NONE)).max().orElseThrow();
        assertThat(model.weight(app, removed.nodeId(), Resources.NONE)).isCloseTo(heaviest, within(1e-9));
    }
}
