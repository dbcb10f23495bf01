package io.atoll.platform.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.AppRoute;
import io.atoll.model.InstanceState;
import io.atoll.platform.ApiTestSupport;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** DESIGN §9: a host belongs to one app, through the real API. */
class HostOwnershipTest extends ApiTestSupport {

    HttpResponse<String> claim(String app, String... hosts) throws Exception {
        return createApp(json.writeValueAsString(java.util.Map.of("name", app, "hosts", List.of(hosts))));
    }

    @Test
    void aTakenOrOverlappingHostIsA409ThatDoesNotNameTheOwner() throws Exception {
        assertThat(claim("owner-a", "shop.own.test", "*.wild.own.test").statusCode()).isEqualTo(201);
        int n = 0;
        for (String taken : List.of("shop.own.test", "SHOP.Own.Test", "*.own.test", "*.wild.own.test",
                "*.x.wild.own.test", "a.wild.own.test", "a.b.wild.own.test")) {
            JsonNode problem = assertProblem(claim("thief-a" + n++, "free-" + n + ".own.test", taken), 409);
            assertThat(problem.path("detail").asString()).contains("is taken").doesNotContain("owner-a");
        }
        for (int i = 0; i < n; i++) {
            assertProblem(send("GET", "/api/v1/apps/thief-a" + i, null), 404);
        }
        // next to a claim, not on it: the wildcard's own suffix, and a sibling branch
        assertThat(claim("neighbour-a", "wild.own.test", "*.other.own.test").statusCode()).isEqualTo(201);
        assertThat(claim("neighbour-b", "own.test").statusCode()).isEqualTo(201);
        // an app may list overlapping hosts of its own
        assertThat(claim("layered", "*.layered.test", "api.layered.test").statusCode()).isEqualTo(201);
    }

    @Test
    void anAppsDefaultHostIsItsOwn() throws Exception {
        assertThat(createApp("{\"name\":\"deft\"}").statusCode()).isEqualTo(201);
        assertProblem(claim("deft-thief", "deft.localhost"), 409);
        assertProblem(claim("deft-thief", "DEFT.localhost"), 409);
        assertThat(claim("selfish", "selfish.localhost").statusCode()).isEqualTo(201);
        // a name whose default host another app claimed first cannot be created
        assertThat(claim("squatter", "ghost.localhost").statusCode()).isEqualTo(201);
        JsonNode problem = assertProblem(createApp("{\"name\":\"ghost\"}"), 409);
        assertThat(problem.path("detail").asString()).contains("ghost.localhost");
        assertProblem(claim("wide", "*.localhost"), 400);
    }

    @Test
    void hostsThatNoAppMayClaimAre400s() throws Exception {
        for (String host : List.of("*.com", "*.co.uk", "*.github.io", "com", "localhost", "*.localhost", "127.0.0.1",
                "::1", "[::1]", "10.1.2.3", "a".repeat(306) + ".example.com", "a".repeat(64) + ".example.com",
                "a..example.com", "a_b.example.com", "a.example.com:80", "a.example.com.", " a.example.com",
                "a.example.com/x", "bücher.example", "a.example.com\u0000", "*", "a.*.example.com", "")) {
            JsonNode problem = assertProblem(claim("badhost", host), 400);
            assertThat(problem.path("errors").get(0).asString()).startsWith("hosts[0]");
        }
        assertProblem(createApp("{\"name\":\"badhost\",\"hosts\":[null]}"), 400);
        assertProblem(createApp("{\"name\":\"badhost\",\"hosts\":[" + "\"h.example.com\",".repeat(32) + "\"x.example.com\"]}"), 400);
        assertProblem(send("GET", "/api/v1/apps/badhost", null), 404);
    }

    @Test
    void aDeployedAppsHostCannotBeTakenOver() throws Exception {
        registerNode("node-own");
        assertThat(claim("owner", "www.owned.test").statusCode()).isEqualTo(201);
        var deploy = json.readTree(send("POST", "/api/v1/apps/owner/deploys", "{\"image\":\"hello:1\",\"instances\":1}").body());
        await().atMost(Duration.ofSeconds(5)).until(() -> curator.checkExists().forPath(paths.assignmentsOf("node-own")) != null
                && !curator.getChildren().forPath(paths.assignmentsOf("node-own")).isEmpty());
        reportAll("node-own", InstanceState.HEALTHY);
        assertThat(awaitDeploy("owner", deploy.path("id").asString()).path("status").asString()).isEqualTo("SUCCEEDED");

        int n = 0;
        for (String host : List.of("www.owned.test", "WWW.owned.test", "*.owned.test", "owner.localhost")) {
            assertProblem(claim("hijack" + n++, host), 409);
        }
        AppRoute route = codec.decode(curator.getData().forPath(paths.route("owner")), AppRoute.class);
        assertThat(route.rules().get(0).hosts()).containsExactly("www.owned.test");
        for (int i = 0; i < n; i++) {
            assertThat(curator.checkExists().forPath(paths.route("hijack" + i))).isNull();
        }
        assertThat(json.readTree(send("GET", "/api/v1/apps/owner", null).body()).path("hosts").get(0).asString())
                .isEqualTo("www.owned.test");
    }

    /**
     * Apps created at the same moment, each claiming a host that overlaps all the others': exactly
     * one wins, the others get a 409, never a 5xx, and only the winner's claim is stored.
     */
    @Test
    void concurrentOverlappingClaimsHaveExactlyOneWinner() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                String zone = "r" + round + ".race.test";
                List<String> hosts = List.of("*." + zone, "x.a." + zone, "*.a." + zone, "x.a." + zone);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String app = "race" + round + "-" + i;
                    String host = hosts.get(i % hosts.size());
                    answers.add(pool.submit(() -> {
                        start.await();
                        return claim(app, host);
                    }));
                }
                start.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (Future<HttpResponse<String>> answer : answers) {
                    statuses.add(answer.get().statusCode());
                }
                assertThat(statuses).as("round " + round).containsOnly(201, 409);
                assertThat(statuses.stream().filter(s -> s == 201).count()).as("winners of round " + round + ": " + statuses)
                        .isEqualTo(1);
                long stored = 0;
                for (JsonNode app : json.readTree(send("GET", "/api/v1/apps", null).body())) {
                    for (JsonNode host : app.path("hosts")) {
                        if (host.asString().endsWith(zone)) {
                            stored++;
                        }
                    }
                }
                assertThat(stored).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
