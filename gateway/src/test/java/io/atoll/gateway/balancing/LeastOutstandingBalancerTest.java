package io.atoll.gateway.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.gateway.routing.AppBackends;
import io.atoll.gateway.routing.Backend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeastOutstandingBalancerTest {

    private final LeastOutstandingBalancer balancer =
            new LeastOutstandingBalancer(Duration.ofSeconds(5), Duration.ofSeconds(60));

    private static Backend backend(String id, String zone, String release) {
        return new Backend("app", id, zone, release, "127.0.0.1:1");
    }

    /** Which release served each of {@code n} requests, each finished before the next. */
    private List<String> releasesOf(AppBackends backends, int n) {
        List<String> served = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Backend chosen = balancer.acquire("app", backends, Set.of());
            served.add(chosen.releaseId());
            balancer.release(chosen);
        }
        return served;
    }

    @Test
    void canaryWeightsSplitTrafficByReleaseEvenlyOverTime() {
        AppBackends backends = AppBackends.of("app", List.of(
                backend("old-1", "z1", "r1"), backend("old-2", "z1", "r1"), backend("new-1", "z1", "r2")),
                Map.of("r1", 90, "r2", 10), null);
        List<String> served = releasesOf(backends, 1000);
        assertThat(served.stream().filter("r2"::equals).count()).isBetween(98L, 102L);
        // spread out, not in bursts: every window of 50 requests holds about 5 canary requests
        for (int start = 0; start + 50 <= served.size(); start += 50) {
            assertThat(served.subList(start, start + 50).stream().filter("r2"::equals).count()).isBetween(3L, 7L);
        }
    }

    @Test
    void withoutWeightsEveryInstanceIsEqualWhateverItsRelease() {
        AppBackends backends = AppBackends.of("app", List.of(
                backend("a", "z1", "r1"), backend("b", "z1", "r1"), backend("c", "z1", "r2")), Map.of(), null);
        Map<String, Integer> perRelease = new HashMap<>();
        releasesOf(backends, 300).forEach(r -> perRelease.merge(r, 1, Integer::sum));
        assertThat(perRelease).containsEntry("r1", 200).containsEntry("r2", 100);
    }

    @Test
    void anUnlistedReleaseGetsNothingUnlessNoListedReleaseIsHealthy() {
        AppBackends listed = AppBackends.of("app", List.of(backend("a", "z1", "r1"), backend("b", "z1", "r2")),
                Map.of("r2", 100), null);
        assertThat(releasesOf(listed, 20)).containsOnly("r2");

        AppBackends orphaned = AppBackends.of("app", List.of(backend("a", "z1", "r1")), Map.of("r2", 100), null);
        assertThat(releasesOf(orphaned, 5)).containsOnly("r1");
    }

    @Test
    void sameZoneFirstThenOtherZonesWhenNoLocalInstanceCanTakeIt() {
        Backend local = backend("local", "z1", "r1");
        Backend remote1 = backend("remote-1", "z2", "r1");
        Backend remote2 = backend("remote-2", "z2", "r1");
        AppBackends backends = AppBackends.of("app", List.of(remote1, local, remote2), Map.of(), "z1");

        // even while busy, the local instance keeps the traffic
        for (int i = 0; i < 10; i++) {
            assertThat(balancer.acquire("app", backends, Set.of())).isEqualTo(local);
        }
        // tried already (a retry) or ejected: other zones, least loaded first
        Set<String> served = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            Backend chosen = balancer.acquire("app", backends, Set.of(local.key()));
            served.add(chosen.instanceId());
            balancer.release(chosen);
        }
        assertThat(served).containsExactlyInAnyOrder("remote-1", "remote-2");
        balancer.connectFailed(local);
        assertThat(balancer.acquire("app", backends, Set.of()).zone()).isEqualTo("z2");
        assertThat(balancer.acquire("app", backends, Set.of(remote1.key(), remote2.key()))).isEqualTo(local);
        assertThat(balancer.acquire("app", backends, Set.of(local.key(), remote1.key(), remote2.key()))).isNull();
    }

    @Test
    void ejectionGrowsWithFailuresInARowAndEndsWithAConnection() {
        Backend a = backend("a", "z1", "r1");
        assertThat(balancer.connectFailed(a)).isEqualTo(Duration.ofSeconds(5));
        assertThat(balancer.connectFailed(a)).isEqualTo(Duration.ofSeconds(10));
        assertThat(balancer.connectFailed(a)).isEqualTo(Duration.ofSeconds(20));
        assertThat(balancer.connectFailed(a)).isEqualTo(Duration.ofSeconds(40));
        assertThat(balancer.connectFailed(a)).isEqualTo(Duration.ofSeconds(60));
        assertThat(balancer.connectFailed(a)).isEqualTo(Duration.ofSeconds(60));
        assertThat(balancer.isEjected(a)).isTrue();
        balancer.connected(a);
        assertThat(balancer.connectFailed(a)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void fewestRequestsInFlightWins() {
        Backend a = backend("a", "z1", "r1");
        Backend b = backend("b", "z1", "r1");
        AppBackends backends = AppBackends.of("app", List.of(a, b), Map.of(), null);
        balancer.acquire("app", backends, Set.of());
        balancer.acquire("app", backends, Set.of());
        balancer.acquire("app", backends, Set.of());
        assertThat(balancer.outstanding(a) + balancer.outstanding(b)).isEqualTo(3);
        Backend busier = balancer.outstanding(a) == 2 ? a : b;
        balancer.release(busier);
        balancer.release(busier);
        assertThat(balancer.acquire("app", backends, Set.of())).isEqualTo(busier);
    }
}
