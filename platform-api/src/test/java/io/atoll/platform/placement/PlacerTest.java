package io.atoll.platform.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacerTest {

    private static NodeInfo node(String id, String zone, long memoryMb, boolean maintenance) {
        return new NodeInfo(id, "127.0.0.1", zone, "r1", new Resources(memoryMb, 4096, 10), Resources.NONE,
                maintenance, "test");
    }

    private static final Resources EACH = new Resources(256, 256, 1);

    @Test
    void spreadsOverZonesBeforeFillingOne() {
        var nodes = List.of(node("a1", "a", 4096, false), node("a2", "a", 4096, false), node("b1", "b", 4096, false));
        List<String> chosen = Placer.place("web", 4, EACH, nodes, List.of()).orElseThrow();
        assertThat(chosen.stream().filter(n -> n.startsWith("a")).count()).isEqualTo(2);
        assertThat(chosen.stream().filter(n -> n.startsWith("b")).count()).isEqualTo(2);
        // inside zone a the two instances land on different nodes
        assertThat(chosen).contains("a1", "a2");
    }

    @Test
    void prefersNodesWithoutTheSameAppAndSkipsMaintenance() {
        var nodes = List.of(node("n1", "a", 4096, false), node("n2", "a", 4096, false), node("n3", "a", 4096, true));
        var existing = List.of(new Placer.Placed("n1", "web", EACH));
        assertThat(Placer.place("web", 1, EACH, nodes, existing).orElseThrow()).containsExactly("n2");
    }

    @Test
    void neverExceedsCapacity() {
        var nodes = List.of(node("n1", "a", 512, false));
        assertThat(Placer.place("web", 2, EACH, nodes, List.of())).contains(List.of("n1", "n1"));
        assertThat(Placer.place("web", 3, EACH, nodes, List.of())).isEmpty();
        assertThat(Placer.place("web", 1, EACH, List.of(), List.of())).isEmpty();
    }
}
