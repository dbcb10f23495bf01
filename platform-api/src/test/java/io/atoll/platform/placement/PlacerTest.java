package io.atoll.platform.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import io.atoll.platform.placement.Placer.Placed;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacerTest {

    static final Resources EACH = new Resources(256, 256, 1);

    static NodeInfo node(String id, String zone, long memoryMb) {
        return node(id, zone, new Resources(memoryMb, 4096, 10), false);
    }

    static NodeInfo node(String id, String zone, Resources capacity, boolean maintenance) {
        return new NodeInfo(id, "127.0.0.1", zone, "r1", capacity, Resources.NONE, maintenance, "test");
    }

    static Placed placed(String nodeId, String app, long memoryMb) {
        return new Placed(nodeId, app, new Resources(memoryMb, 256, 1));
    }

    static long count(List<String> nodeIds, String prefix) {
        return nodeIds.stream().filter(id -> id.startsWith(prefix)).count();
    }

    @Test
    void spreadsOverZonesBeforeFillingOne() {
        var nodes = List.of(node("a1", "a", 4096), node("a2", "a", 4096), node("b1", "b", 4096));
        List<String> chosen = Placer.of(nodes, List.of()).place("web", 4, EACH).nodeIds();
        assertThat(count(chosen, "a")).isEqualTo(2);
        assertThat(count(chosen, "b")).isEqualTo(2);
        assertThat(chosen).contains("a1", "a2");
    }

    @Test
    void aZoneTieGoesToTheZoneWithFewestInstancesOfAllApps() {
        var nodes = List.of(node("a1", "a", 8192), node("b1", "b", 8192), node("c1", "c", 8192));
        Placer placer = Placer.of(nodes, List.of());
        assertThat(placer.place("web", 2, EACH).nodeIds()).containsExactly("a1", "b1");
        // api has no instance anywhere: zone c, which has none of any app, comes first
        assertThat(placer.place("api", 2, EACH).nodeIds()).containsExactly("c1", "a1");
        assertThat(placer.zoneCounts()).containsExactly(Map.entry("a", 2), Map.entry("b", 1), Map.entry("c", 1));
        assertThat(placer.zoneCounts("api")).containsExactly(Map.entry("a", 1), Map.entry("b", 0), Map.entry("c", 1));
    }

    @Test
    void placingMoreOfAnAppSpreadsAroundTheInstancesItHas() {
        var nodes = List.of(node("a1", "a", 8192), node("a2", "a", 8192), node("b1", "b", 8192), node("c1", "c", 8192));
        var existing = List.of(placed("a1", "web", 256), placed("a2", "web", 256), placed("b1", "web", 256));
        assertThat(Placer.of(nodes, existing).place("web", 1, EACH).nodeIds()).containsExactly("c1");
    }

    @Test
    void anInstanceOfTheSameAppWeighsMoreThanAFullerNode() {
        // n1: one instance of web, otherwise empty (weight 2 + 0.125 + 0.125 after); n2: 70% of its memory
        // and CPU used by other apps (weight 0.75 + 0.75 after). Same zone.
        var nodes = List.of(node("n1", "a", new Resources(4096, 4096, 10), false),
                node("n2", "a", new Resources(4096, 4096, 10), false));
        var existing = List.of(new Placed("n1", "web", new Resources(256, 256, 1)),
                new Placed("n2", "other", new Resources(2816, 2816, 1)));
        assertThat(Placer.of(nodes, existing).place("web", 1, EACH).nodeIds()).containsExactly("n2");
        // with no room left on n2, n1 it is
        var fuller = List.of(existing.get(0), new Placed("n2", "other", new Resources(3900, 2816, 1)));
        assertThat(Placer.of(nodes, fuller).place("web", 1, EACH).nodeIds()).containsExactly("n1");
    }

    @Test
    void theWeightIsUseAfterPlacementAsAShareOfEachNodesCapacity() {
        // the same 512 MB is half of the small node, 1/16 of the big one
        var nodes = List.of(node("big", "a", new Resources(8192, 8192, 10), false),
                node("small", "a", new Resources(1024, 8192, 10), false));
        Placer placer = Placer.of(nodes, List.of());
        assertThat(placer.place("web", 1, new Resources(512, 256, 1)).nodeIds()).containsExactly("big");
        // other apps: big fills to 6656 MB used (0.875 after), small stays empty (0.5 after)
        placer.place("other", 1, new Resources(6144, 0, 1));
        assertThat(placer.place("api", 1, new Resources(512, 256, 1)).nodeIds()).containsExactly("small");
    }

    @Test
    void neverExceedsCapacity() {
        var nodes = List.of(node("n1", "a", 512));
        assertThat(Placer.of(nodes, List.of()).place("web", 2, EACH).nodeIds()).containsExactly("n1", "n1");
        assertThat(Placer.of(nodes, List.of()).place("web", 3, EACH).complete()).isFalse();
        assertThat(Placer.of(List.of(), List.of()).place("web", 1, EACH).complete()).isFalse();
        // CPU and container slots count as well as memory
        var cpu = List.of(node("n1", "a", new Resources(8192, 600, 10), false));
        assertThat(Placer.of(cpu, List.of()).placeWhatFits("web", 5, EACH).nodeIds()).hasSize(2);
        var slots = List.of(node("n1", "a", new Resources(8192, 8192, 3), false));
        assertThat(Placer.of(slots, List.of()).placeWhatFits("web", 5, EACH).nodeIds()).hasSize(3);
    }

    @Test
    void skipsNodesInMaintenanceAndExcludedNodes() {
        var nodes = List.of(node("n1", "a", 4096), node("n2", "a", new Resources(4096, 4096, 10), true),
                node("n3", "a", 4096), node("n4", "a", 4096), node("n5", "a", 4096));
        var skips = Skips.of(Set.of("n3"), Set.of("n4")).excluding(Set.of("n5"));
        Placement placement = Placer.of(nodes, List.of(), skips).place("web", 3, EACH);
        assertThat(placement.nodeIds()).containsOnly("n1");
        var predicate = new Skips(id -> id.equals("n1"), id -> false);
        assertThat(Placer.of(nodes, List.of(), predicate).place("web", 2, EACH).nodeIds()).containsExactly("n3", "n4");
    }

    @Test
    void replacementsForALostNodeGoToItsZoneAndItsInstancesCountForNothing() {
        var nodes = List.of(node("a1", "a", 4096), node("b1", "b", 4096), node("c1", "c", 4096), node("c2", "c", 4096));
        var existing = List.of(placed("a1", "web", 256), placed("b1", "web", 256), placed("c1", "web", 256));
        Placer placer = Placer.of(nodes, existing, Skips.none().excluding(Set.of("c1")));
        assertThat(placer.zoneCounts("web")).containsEntry("c", 0);
        assertThat(placer.placeWhatFits("web", 1, EACH).nodeIds()).containsExactly("c2");
        // a zone whose every node is skipped is no zone
        Placer withoutC = Placer.of(nodes, existing, Skips.of(Set.of("c2"), Set.of("c1")));
        assertThat(withoutC.zoneCounts().keySet()).containsExactly("a", "b");
        assertThat(withoutC.place("web", 2, EACH).nodeIds()).containsExactlyInAnyOrder("a1", "b1");
    }

    @Test
    void aShortageSaysWhatIsShortAndHowManyFit() {
        var nodes = List.of(node("a1", "a", 1024), node("b1", "b", 1024), node("c1", "c", 1024),
                node("m1", "a", new Resources(8192, 8192, 10), true), node("x1", "b", 8192));
        var existing = List.of(placed("a1", "other", 512), placed("b1", "other", 512), placed("c1", "other", 1024));
        Placer placer = Placer.of(nodes, existing, Skips.none().excluding(Set.of("x1")));
        Resources each = new Resources(512, 256, 1);

        Placement placement = placer.place("web", 4, each);

        assertThat(placement.complete()).isFalse();
        assertThat(placement.nodeIds()).isEmpty();
        Shortage shortage = placement.shortfall().orElseThrow();
        assertThat(shortage.describe()).isEqualTo("need 4 × 512 MB / 256 CPU shares of web; room for 2 "
                + "(zone a: 1, b: 1, c: 0): memory is short on all 3 live nodes; "
                + "not considered: 1 node in maintenance, 1 excluded");
        assertThat(shortage.fit()).isEqualTo(2);
        assertThat(shortage.roomByZone()).containsExactly(Map.entry("a", 1), Map.entry("b", 1), Map.entry("c", 0));
        assertThat(shortage.shortOn()).containsExactly(Map.entry(Shortage.Dimension.MEMORY, 3));
        assertThat(shortage.problemProperties()).containsEntry("requested", 4).containsEntry("fit", 2)
                .containsEntry("shortOn", Map.of("memory", 3)).containsEntry("inMaintenance", 1)
                .containsEntry("excluded", 1);
        assertThatThrownBy(() -> placement.nodeIdsOrThrow(s -> new IllegalStateException(s.describe())))
                .hasMessageStartingWith("need 4 × 512 MB");

        // all or nothing: the failed call left the placer as it was
        assertThat(placer.used("a1")).isEqualTo(new Resources(512, 256, 1));
        // what fits: as many as the shortage said, with the same shortage for the rest
        Placement partial = placer.placeWhatFits("web", 4, each);
        assertThat(partial.nodeIds()).containsExactlyInAnyOrder("a1", "b1");
        assertThat(partial.shortage()).isEqualTo(shortage);
    }

    @Test
    void aShortageNamesEveryResourceThatRunsOut() {
        var nodes = List.of(node("a1", "a", new Resources(8192, 512, 10), false),
                node("a2", "a", new Resources(8192, 8192, 1), false),
                node("a3", "a", new Resources(8192, 512, 10), false));
        Shortage shortage = Placer.of(nodes, List.of()).place("web", 9, EACH).shortage();
        assertThat(shortage.describe()).isEqualTo("need 9 × 256 MB / 256 CPU shares of web; room for 5 (zone a: 5): "
                + "CPU shares are short on 2 of 3 live nodes, container slots on 1");
        Shortage none = Placer.of(List.of(node("m", "a", new Resources(1, 1, 1), true)), List.of(),
                Skips.of(Set.of(), Set.of("x"))).place("web", 1, EACH).shortage();
        assertThat(none.describe()).isEqualTo("need 1 × 256 MB / 256 CPU shares of web; no live node (1 node in maintenance)");
    }

    @Test
    void scaleDownTakesFromTheFullestZoneThenItsHeaviestNode() {
        var nodes = List.of(node("a1", "a", 4096), node("a2", "a", 4096), node("b1", "b", 4096), node("c1", "c", 4096));
        var web = List.of(placed("a1", "web", 256), placed("a2", "web", 256), placed("a2", "web", 256),
                placed("b1", "web", 256), placed("c1", "web", 256));
        List<Placed> existing = new ArrayList<>(web);
        existing.add(placed("c1", "other", 2048));
        Placer placer = Placer.of(nodes, existing);

        // zone a has 3 of web; a2 has two of them
        assertThat(placer.chooseToRemove("web", 1, web)).containsExactly(web.get(1));
        // zones now a 2, b 1, c 1: a again, where a1 and a2 weigh the same (2 + 1/16 + 1/16): the lower id
        assertThat(placer.chooseToRemove("web", 1, List.of(web.get(0), web.get(2), web.get(3), web.get(4))))
                .containsExactly(web.get(0));
        // a 1, b 1, c 1: c holds the most instances of all apps
        assertThat(placer.chooseToRemove("web", 1, List.of(web.get(2), web.get(3), web.get(4))))
                .containsExactly(web.get(4));
        assertThat(placer.zoneCounts("web")).containsExactly(Map.entry("a", 1), Map.entry("b", 1), Map.entry("c", 0));
        // and placing again refills c
        assertThat(placer.place("web", 1, EACH).nodeIds()).containsExactly("c1");
    }

    @Test
    void scaleDownTakesInstancesOnLostAndMaintenanceNodesFirstAndKeepsTheCallersOrderOnANode() {
        record Instance(String id, Placed placed) {
        }
        var nodes = List.of(node("a1", "a", 4096), node("b1", "b", 4096), node("m1", "a", 4096));
        var instances = List.of(new Instance("i1", placed("a1", "web", 256)), new Instance("i2", placed("a1", "web", 256)),
                new Instance("i3", placed("m1", "web", 256)), new Instance("i4", placed("gone", "web", 256)),
                new Instance("i5", placed("b1", "web", 256)));
        Placer placer = Placer.of(nodes, instances.stream().map(Instance::placed).toList(), Skips.of(Set.of("m1"), Set.of()));
        List<Instance> order = placer.chooseToRemove("web", 5, instances, Instance::placed);
        // unknown node, maintenance, then zone a (2 of web), and on a tie the first zone by name
        assertThat(order).extracting(Instance::id).containsExactly("i4", "i3", "i1", "i2", "i5");
        assertThat(placer.used("a1")).isEqualTo(Resources.NONE);
    }

    @Test
    void rejectsNonsense() {
        Placer placer = Placer.of(List.of(node("a1", "a", 4096)), List.of(placed("a1", "web", 256)));
        assertThatThrownBy(() -> placer.place("web", -1, EACH)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> placer.place("web", 1, new Resources(256, 256, 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> placer.chooseToRemove("api", 1, List.of(placed("a1", "web", 256))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> placer.chooseToRemove("web", 1, List.of(placed("a1", "web", 256), placed("a1", "web", 256))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(placer.place("web", 0, EACH)).isEqualTo(Placement.of(List.of()));
        // a huge count is bounded by the container slots
        assertThat(placer.placeWhatFits("web", Integer.MAX_VALUE, EACH).nodeIds()).hasSize(9);
    }

    @Test
    @SuppressWarnings("deprecation")
    void theOldStaticPlaceStillAnswers() {
        var nodes = List.of(node("n1", "a", 512));
        assertThat(Placer.place("web", 2, EACH, nodes, List.of())).contains(List.of("n1", "n1"));
        assertThat(Placer.place("web", 3, EACH, nodes, List.of())).isEmpty();
        assertThat(Placer.place("web", 1, EACH, List.of(), List.of())).isEmpty();
    }

    @Test
    void theSameInputGivesTheSameAnswerWhateverTheOrderOfNodes() {
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            nodes.add(node("n" + i, "z" + (i % 3), 2048 + 512L * (i % 4)));
        }
        List<String> first = Placer.of(nodes, List.of()).place("web", 40, EACH).nodeIds();
        Collections.reverse(nodes);
        assertThat(Placer.of(nodes, List.of()).place("web", 40, EACH).nodeIds()).isEqualTo(first);
    }
}
