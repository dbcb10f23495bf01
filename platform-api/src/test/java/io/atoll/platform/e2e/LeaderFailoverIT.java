package io.atoll.platform.e2e;

import static io.atoll.platform.e2e.ControlPlaneFixture.events;
import static io.atoll.platform.e2e.ControlPlaneFixture.finished;
import static io.atoll.platform.e2e.ControlPlaneFixture.placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.atoll.platform.e2e.ControlPlaneFixture.HealthyWatch;
import io.atoll.platform.e2e.ControlPlaneFixture.Replica;
import io.atoll.platform.e2e.ControlPlaneFixture.Site;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Issue 10's acceptance for the control plane, with real processes: {@code kill -9} of
 * platform-api in the middle of a rolling deploy, then a restart; and two replicas on one
 * ZooKeeper and one database, the leader killed mid-deploy while the deploy was asked of the
 * other. Each time the deploy must finish by itself and the node must end with exactly the
 * desired instances: the API's, ZooKeeper's assignments, the agent's published instances and
 * Docker's containers the same set, nothing duplicated, nothing left over.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeaderFailoverIT {

    static final int INSTANCES = 3;

    static ControlPlaneFixture fixture;
    static String v1;
    static String v2;
    static String v3;

    @BeforeAll
    static void start() throws Exception {
        fixture = new ControlPlaneFixture();
        v1 = fixture.push("v1");
        v2 = fixture.push("v2");
        v3 = fixture.push("v3");
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    @Order(1)
    void aDeployResumesAfterPlatformApiIsKilledAndRestarted() throws Exception {
        try (Site site = fixture.site("restart")) {
            Replica api = site.replica("api");
            site.awaitUp();
            deployFirst(site, api, "restart");
            // Restarted at once: it leads once the killed process's session has expired.
            killMidDeployAndRestart(site, api, v2, Duration.ZERO);
            // Restarted after that session is gone: it leads from its first moments.
            killMidDeployAndRestart(site, api, v3, ControlPlaneFixture.SESSION_TIMEOUT.plusSeconds(2));
        }
    }

    private static void killMidDeployAndRestart(Site site, Replica api, String image, Duration down) throws Exception {
        String id = api.startDeploy("restart", rolling(image));
        try (HealthyWatch healthy = site.watchHealthy("restart")) {
            JsonNode atKill = awaitMidDeploy(api, "restart", id);
            Instant killed = Instant.now();
            api.process.kill();
            Thread.sleep(down.toMillis());
            api.process.start();
            api.process.awaitUp(Duration.ofSeconds(120));
            Instant up = Instant.now();
            await().atMost(ControlPlaneFixture.SESSION_TIMEOUT.plusSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Boolean.TRUE.equals(api.leads()));
            Instant leading = Instant.now();
            JsonNode done = api.awaitFinished("restart", id, Duration.ofSeconds(120));
            Instant finished = Instant.now();

            report("kill -9, restart after " + down.toSeconds() + " s", atKill, done, Map.of(
                    "restarted and serving the API", Duration.between(killed, up),
                    "controllers running again", Duration.between(killed, leading),
                    "deploy " + done.path("status").asString(), Duration.between(killed, finished)));
            assertThat(done.path("status").asString()).as(events(done).toString()).isEqualTo("SUCCEEDED");
            assertNoDuplicates(done);
            site.awaitExactly(api, "restart", INSTANCES, done.path("releaseId").asString());
            assertThat(healthy.min()).as("fewest HEALTHY at " + healthy.atMin()).isGreaterThanOrEqualTo(INSTANCES);
        }
    }

    @Test
    @Order(2)
    void killingTheLeaderHandsTheControllersToTheOtherReplicaAndTheDeployFinishes() throws Exception {
        try (Site site = fixture.site("replicas")) {
            // The first replica migrates the new database, serves it to the second over TCP (H2's
            // AUTO_SERVER) and leads: killing it takes the controllers and the database's host at once.
            Replica leader = site.replica("a");
            site.awaitUp();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Boolean.TRUE.equals(leader.leads()));
            Replica other = site.replica("b");
            other.process.awaitUp(Duration.ofSeconds(120));
            assertThat(other.leads()).as(other + " follows").isFalse();

            deployFirst(site, other, "pair");
            String id = other.startDeploy("pair", rolling(v2));
            try (HealthyWatch healthy = site.watchHealthy("pair")) {
                failOver(site, leader, other, id, healthy);
            }
            // The killed replica comes back as a follower; the controllers stay where they are.
            leader.process.start();
            leader.process.awaitUp(Duration.ofSeconds(120));
            Thread.sleep(2000);
            assertThat(leader.leads()).as(leader + " rejoined").isFalse();
            assertThat(other.leads()).as(other + " still leads").isTrue();
            site.awaitExactly(other, "pair", INSTANCES, other.deploy("pair", id).path("releaseId").asString());
        }
    }

    private static void failOver(Site site, Replica leader, Replica other, String id, HealthyWatch healthy)
            throws Exception {
        JsonNode atKill = awaitMidDeploy(other, "pair", id);
        // The leader's latch node goes when its session expires: ZooKeeper's share of the takeover.
        String latch = site.paths.controllersLeader();
        String leaderLatch = latch + "/" + fixture.client.getChildren().forPath(latch).stream()
                .min(java.util.Comparator.comparing(name -> name.substring(name.lastIndexOf('-') + 1))).orElseThrow();
        java.util.concurrent.atomic.AtomicReference<Instant> expired = new java.util.concurrent.atomic.AtomicReference<>();
        fixture.client.checkExists().usingWatcher((org.apache.curator.framework.api.CuratorWatcher) event ->
                expired.compareAndSet(null, Instant.now())).forPath(leaderLatch);
        Instant killed = Instant.now();
        leader.process.kill();

        // The survivor answers the API all along; its controllers start when the old session expires.
        int apiFailures = 0;
        Instant deadline = killed.plus(ControlPlaneFixture.SESSION_TIMEOUT).plusSeconds(30);
        while (!Boolean.TRUE.equals(other.leads())) {
            if (Instant.now().isAfter(deadline)) {
                fail(other + " did not take the controllers over within " + Duration.between(killed, deadline));
            }
            try {
                other.deploy("pair", id);
            } catch (Exception | AssertionError e) {
                apiFailures++;
            }
            Thread.sleep(100);
        }
        Duration takeover = Duration.between(killed, Instant.now());
        JsonNode done = other.awaitFinished("pair", id, Duration.ofSeconds(120));
        Instant finished = Instant.now();

        assertThat(expired.get()).as("the killed leader's latch node " + leaderLatch + " went").isNotNull();
        report("two replicas, leader killed", atKill, done, Map.of(
                "the killed leader's session expired (its latch node gone)", Duration.between(killed, expired.get()),
                "controllers taken over by " + other.name, takeover,
                "deploy " + done.path("status").asString(), Duration.between(killed, finished)));
        // What the platform adds to ZooKeeper's expiry: the survivor's latch and the controllers' start.
        assertThat(Duration.between(expired.get(), killed.plus(takeover))).isLessThan(Duration.ofSeconds(2));
        System.out.printf("  API failures on the surviving replica meanwhile: %d; ZooKeeper session timeout %s%n",
                apiFailures, ControlPlaneFixture.SESSION_TIMEOUT);
        assertThat(apiFailures).as("GETs through the surviving replica that failed").isZero();
        // The old leader's latch node lives until its session expires (server checks once a tick, 1 s here).
        assertThat(takeover).isLessThan(ControlPlaneFixture.SESSION_TIMEOUT.plusSeconds(3));
        assertThat(done.path("status").asString()).as(events(done).toString()).isEqualTo("SUCCEEDED");
        assertNoDuplicates(done);
        site.awaitExactly(other, "pair", INSTANCES, done.path("releaseId").asString());
        assertThat(healthy.min()).as("fewest HEALTHY at " + healthy.atMin()).isGreaterThanOrEqualTo(INSTANCES);
    }

    private static String deployOf(String image) {
        return "{\"image\":\"" + image + "\",\"instances\":" + INSTANCES + "}";
    }

    /**
     * A rolling deploy (max surge 1, max unavailable 0) in which each new instance must stay
     * HEALTHY for 2 s: the demo app is healthy within 0.1 s, so without it the whole deploy takes
     * about a second and there is hardly a middle to kill it in.
     */
    private static String rolling(String image) {
        return "{\"image\":\"" + image + "\",\"instances\":" + INSTANCES + ",\"minReadySeconds\":2}";
    }

    /** The app's first release, rolled out and settled. */
    private static void deployFirst(Site site, Replica via, String app) throws Exception {
        via.createApp(app);
        JsonNode first = via.awaitFinished(app, via.startDeploy(app, deployOf(v1)), Duration.ofSeconds(90));
        assertThat(first.path("status").asString()).as(events(first).toString()).isEqualTo("SUCCEEDED");
        site.awaitExactly(via, app, INSTANCES, first.path("releaseId").asString());
    }

    /** Polls until the deploy has placed its first new instance and is still rolling. */
    private static JsonNode awaitMidDeploy(Replica via, String app, String id) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            JsonNode deploy = via.deploy(app, id);
            if (finished(deploy)) {
                fail("the deploy finished before it could be interrupted: " + events(deploy));
            }
            if (deploy.path("status").asString().equals("RUNNING") && !placed(deploy).isEmpty()) {
                return deploy;
            }
            Thread.sleep(50);
        }
        return fail("the deploy placed no new instance within 60 s");
    }

    /** Each new instance placed once: nobody placed again what the killed leader had placed. */
    private static void assertNoDuplicates(JsonNode done) {
        List<String> placed = placed(done);
        assertThat(new HashSet<>(placed)).as("placed: " + placed).hasSize(placed.size());
        assertThat(placed).as("new instances placed in all; events: " + events(done)).hasSize(INSTANCES);
    }

    private static void report(String what, JsonNode atKill, JsonNode done, Map<String, Duration> figures) {
        System.out.printf("%n== %s ==%n  events when killed:%n", what);
        events(atKill).forEach(line -> System.out.println("    " + line));
        System.out.println("  events after:");
        events(done).stream().skip(atKill.path("events").size()).forEach(line -> System.out.println("    " + line));
        figures.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(f -> System.out.printf("  %s after %.1f s%n", f.getKey(), f.getValue().toMillis() / 1000.0));
    }
}
