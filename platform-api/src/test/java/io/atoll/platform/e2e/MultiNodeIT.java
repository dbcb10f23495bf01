package io.atoll.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Several nodes on one machine (issue 10 item 9): three node agents as separate processes, with
 * their own node ids, ports and zones {@code zone-a/b/c}, against the one Docker engine, plus
 * platform-api, the registry and the gateway ({@link AtollPlatform}). A 4-instance app under
 * steady load through the gateway goes through a rolling deploy, a deploy of a release that exits
 * at start (rolled back by itself) and the loss of a node with its containers.
 *
 * <p>A lost node is noticed once its agent's ZooKeeper session expires, and re-placed once
 * {@code atoll.platform.node-lost-grace} has passed since the agent's last contact, i.e. at once
 * with the defaults (15 s session, 15 s grace). The test runs with the defaults;
 * {@code -Datoll.e2e.agent-session-timeout=5s -Datoll.e2e.node-lost-grace=5s} tries others.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiNodeIT {

    static final String APP = "web";
    static final String HOST = APP + ".localhost";
    static final List<String> ZONES = List.of("zone-a", "zone-b", "zone-c");
    static final String SESSION_TIMEOUT = System.getProperty("atoll.e2e.agent-session-timeout", "");
    static final String NODE_LOST_GRACE = System.getProperty("atoll.e2e.node-lost-grace", "");
    static final Duration LOAD_PAUSE = Duration.ofMillis(10);

    static AtollPlatform platform;
    /** A container labelled with a node no agent runs: no agent may touch it. */
    static String stranger;

    @BeforeAll
    static void startThreeNodes() throws Exception {
        List<String> platformArgs = new java.util.ArrayList<>(List.of("--atoll.platform.deploy.drain-timeout=20s"));
        if (!NODE_LOST_GRACE.isEmpty()) {
            platformArgs.add("--atoll.platform.node-lost-grace=" + NODE_LOST_GRACE);
        }
        platform = AtollPlatform.start("multinode", ZONES, platformArgs, SESSION_TIMEOUT.isEmpty() ? List.of()
                : List.of("--atoll.zookeeper.session-timeout=" + SESSION_TIMEOUT));
        platform.loginAsCi();
        platform.buildAndPush("hello:one", "FROM atoll/hello:local");
        platform.buildAndPush("hello:two", "FROM atoll/hello:local");
        // Exits at start after two lines, one on each stream, as an app missing its configuration would.
        platform.buildAndPush("hello:crash", "FROM atoll/busybox:local\n"
                + "CMD [\"/bin/sh\", \"-c\", \"echo 'starting web'; echo 'fatal: DATABASE_URL is not set' >&2; exit 3\"]");
        stranger = DockerCli.run("run", "-d", "--label", "io.atoll.node=multinode-" + ProcessHandle.current().pid()
                        + "-stranger", "--label", "io.atoll.app=" + APP, "--label", "io.atoll.instance=web-stranger",
                "atoll/busybox:local", "sleep", "3600");
        HttpResponse<String> created = platform.api("POST", "/api/v1/apps",
                "{\"name\":\"" + APP + "\",\"containerPort\":8080,\"healthPath\":\"/healthz\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @AfterAll
    static void stopAll() throws Exception {
        try {
            if (platform != null) {
                platform.close();
            }
        } finally {
            if (stranger != null) {
                DockerCli.run("rm", "-f", stranger);
            }
        }
    }

    @Test
    @Order(1)
    void threeAgentsInThreeZonesRunAFourInstanceAppSpreadOverTheZones() throws Exception {
        Map<String, String> zoneOf = platform.agents.stream()
                .collect(Collectors.toMap(agent -> agent.nodeId, agent -> agent.zone));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(registered()).isEqualTo(zoneOf));

        JsonNode deploy = platform.deployAndWait(APP, "hello:one", 4);
        assertThat(deploy.path("status").asString()).as(deploy.toString()).isEqualTo("SUCCEEDED");

        Map<String, JsonNode> instances = instances();
        assertThat(instances).hasSize(4);
        instances.values().forEach(i -> assertThat(i.path("state").asString()).as(i.toString()).isEqualTo("HEALTHY"));
        assertSpreadOverZones(instances.values());
        assertEachAgentRunsExactlyItsOwn(instances.values());
        Map<String, String> served = awaitServedByAll(instances.keySet());
        instances.forEach((id, instance) -> assertThat(served.get(id))
                .as("ATOLL_ZONE of %s", id).isEqualTo(zoneOf.get(instance.path("nodeId").asString())));
        assertStrangerUntouched();
    }

    @Test
    @Order(2)
    void aRollingDeployUnderLoadFailsNoRequestAndEndsOnTheNewRelease() throws Exception {
        Set<String> before = platform.containers().keySet();
        GatewayLoad load = GatewayLoad.start(platform, HOST, LOAD_PAUSE);
        JsonNode deploy;
        GatewayLoad.Summary summary;
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() >= 20);
            String id = platform.startDeploy(APP, "{\"image\":\"hello:two\",\"instances\":4}");
            deploy = platform.awaitDeploy(APP, id, Duration.ofSeconds(120));
            Thread.sleep(2000);
        } finally {
            summary = load.stop();
        }
        assertThat(deploy.path("status").asString()).as(deploy.toString()).isEqualTo("SUCCEEDED");
        String release = deploy.path("releaseId").asString();
        Duration took = Duration.between(Instant.parse(deploy.path("createdAt").asString()),
                Instant.parse(deploy.path("finishedAt").asString()));
        report("rolling deploy of 4 instances over 3 nodes: %s in %.1f s; %d requests (%.0f/s), %d failed%s",
                deploy.path("release").asString(), took.toMillis() / 1000.0, summary.ok() + summary.failures().size(),
                summary.perSecond(), summary.failures().size(), summary.failures().isEmpty() ? ""
                        : ", the last at " + summary.lastFailure());
        assertThat(summary.failures()).as("requests that failed during the rolling deploy").isEmpty();
        assertThat(summary.releases()).as("served by the old release, then the new").hasSize(2).contains(release);

        Map<String, JsonNode> instances = instances();
        assertThat(instances).hasSize(4);
        instances.values().forEach(i -> {
            assertThat(i.path("state").asString()).as(i.toString()).isEqualTo("HEALTHY");
            assertThat(i.path("releaseId").asString()).as(i.toString()).isEqualTo(release);
        });
        assertThat(instances.keySet()).doesNotContainAnyElementsOf(before);
        assertSpreadOverZones(instances.values());
        // the old containers drain and go; each agent runs only the new instances placed on it
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEachAgentRunsExactlyItsOwn(instances.values()));
        awaitServedByAll(instances.keySet());
        assertStrangerUntouched();
    }

    @Test
    @Order(3)
    void aReleaseThatExitsAtStartRollsBackByItselfWithItsExitCodeAndLastLogLines() throws Exception {
        Map<String, JsonNode> serving = instances();
        Instant asked = Instant.now();
        GatewayLoad load = GatewayLoad.start(platform, HOST, LOAD_PAUSE);
        JsonNode deploy;
        GatewayLoad.Summary summary;
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() >= 20);
            String id = platform.startDeploy(APP, "{\"image\":\"hello:crash\",\"instances\":4}");
            deploy = platform.awaitDeploy(APP, id, Duration.ofSeconds(60));
            Thread.sleep(2000);
        } finally {
            summary = load.stop();
        }
        assertThat(deploy.path("status").asString()).as(deploy.toString()).isEqualTo("ROLLED_BACK");
        String reason = deploy.path("reason").asString();
        assertThat(reason).contains("exited with code 3")
                .contains("starting web").contains("fatal: DATABASE_URL is not set");

        String crashRelease = deploy.path("releaseId").asString();
        List<Instant> crashes = dieEvents(asked, crashRelease);
        assertThat(crashes).as("the new release's containers died").isNotEmpty();
        Instant firstCrash = crashes.get(0);
        Instant failedAt = eventAt(deploy, "failed");
        Instant rolledBackAt = Instant.parse(deploy.path("finishedAt").asString());
        Duration toRollback = Duration.between(firstCrash, rolledBackAt);
        report("crash at start: %d crash(es) before the rollback; failed %.2f s and ROLLED_BACK %.2f s after the first "
                        + "crash (%.2f s after the deploy was asked); %d requests, %d failed; reason: %s",
                crashes.stream().filter(at -> !at.isAfter(rolledBackAt)).count(),
                Duration.between(firstCrash, failedAt).toMillis() / 1000.0, toRollback.toMillis() / 1000.0,
                Duration.between(asked, rolledBackAt).toMillis() / 1000.0,
                summary.ok() + summary.failures().size(), summary.failures().size(), reason);
        assertThat(toRollback).as("first crash to ROLLED_BACK").isLessThanOrEqualTo(Duration.ofSeconds(15));
        assertThat(summary.failures()).as("requests that failed while the crashing release was rolled back").isEmpty();
        assertThat(summary.releases()).as("only the serving release answered")
                .containsExactly(serving.values().iterator().next().path("releaseId").asString());

        // what served before serves on, untouched; the crashing containers are gone
        assertThat(instances().keySet()).isEqualTo(serving.keySet());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(AtollPlatform.containers("label=io.atoll.release=" + crashRelease)).isEmpty());
        assertEachAgentRunsExactlyItsOwn(serving.values());
        assertStrangerUntouched();
    }

    @Test
    @Order(4)
    void aLostNodeIsHealedElsewhereWhileLoadRuns() throws Exception {
        Map<String, JsonNode> before = instances();
        // the node with the most instances: the worst one to lose
        Map<String, Long> perNode = before.values().stream()
                .collect(Collectors.groupingBy(i -> i.path("nodeId").asString(), Collectors.counting()));
        AtollPlatform.Agent victim = platform.agents.stream()
                .max((a, b) -> Long.compare(perNode.getOrDefault(a.nodeId, 0L), perNode.getOrDefault(b.nodeId, 0L)))
                .orElseThrow();
        List<AtollPlatform.Agent> survivors = platform.agents.stream().filter(a -> a != victim).toList();
        Map<String, String> survivorsContainers = new TreeMap<>();
        for (AtollPlatform.Agent agent : survivors) {
            survivorsContainers.putAll(agent.containers());
        }

        GatewayLoad load = GatewayLoad.start(platform, HOST, LOAD_PAUSE);
        Instant[] unregistered = new Instant[1];
        Instant[] replaced = new Instant[1];
        Instant killed;
        Instant healed;
        Map<String, JsonNode> after;
        GatewayLoad.Summary summary;
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() >= 20);
            killed = Instant.now();
            victim.kill();
            for (String id : victim.allContainerIds()) {
                DockerCli.run("rm", "-f", id);
            }
            after = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (unregistered[0] == null && !registered().containsKey(victim.nodeId)) {
                            unregistered[0] = Instant.now();
                        }
                        Map<String, JsonNode> now = instances();
                        if (replaced[0] == null && !before.keySet().containsAll(now.keySet())) {
                            replaced[0] = Instant.now();
                        }
                        return healedAndRouted(now, victim.nodeId) ? now : null;
                    }, java.util.Objects::nonNull);
            healed = Instant.now();
            Thread.sleep(2000);
        } finally {
            summary = load.stop();
        }
        Duration healTime = Duration.between(killed, healed);
        report("lost node %s (%s, %d of 4 instances; agent session %s, grace %s): its registration gone %.1f s after "
                        + "the kill, replacements placed at %.1f s, all 4 HEALTHY elsewhere and routed at %.1f s; "
                        + "%d requests, %d failed%s",
                victim.nodeId, victim.zone, perNode.getOrDefault(victim.nodeId, 0L),
                SESSION_TIMEOUT.isEmpty() ? "15s (default)" : SESSION_TIMEOUT,
                NODE_LOST_GRACE.isEmpty() ? "15s (default)" : NODE_LOST_GRACE,
                secondsBetween(killed, unregistered[0]), secondsBetween(killed, replaced[0]),
                healTime.toMillis() / 1000.0, summary.ok() + summary.failures().size(), summary.failures().size(),
                summary.failures().isEmpty() ? "" : ", the last " + secondsBetween(killed, summary.lastFailure())
                        + " s after the kill: " + summary.failures());
        assertThat(healTime).as("kill to all instances HEALTHY elsewhere and routed").isLessThanOrEqualTo(Duration.ofSeconds(30));

        assertThat(after.values()).allSatisfy(i -> assertThat(i.path("nodeId").asString()).isNotEqualTo(victim.nodeId));
        assertThat(after.keySet()).containsAll(survivorsContainers.keySet());
        // the survivors' containers are the same ones, never restarted; each agent runs its own only
        Map<String, String> survivorsNow = new TreeMap<>();
        for (AtollPlatform.Agent agent : survivors) {
            survivorsNow.putAll(agent.containers());
        }
        assertThat(survivorsNow).containsAllEntriesOf(survivorsContainers);
        assertEachAgentRunsExactlyItsOwn(after.values());
        assertStrangerUntouched();
    }

    // ------------------------------------------------------------------ helpers

    /** The live nodes platform-api knows: node id → zone. */
    static Map<String, String> registered() throws Exception {
        Map<String, String> nodes = new HashMap<>();
        platform.apiJson("/api/v1/nodes").forEach(view -> nodes.put(view.path("node").path("nodeId").asString(),
                view.path("node").path("zone").asString()));
        return nodes;
    }

    /** The app's instances that are to serve (not draining), by id. */
    static Map<String, JsonNode> instances() throws Exception {
        Map<String, JsonNode> byId = new TreeMap<>();
        platform.apiJson("/api/v1/apps/" + APP + "/instances").forEach(i -> {
            if (!i.path("draining").asBoolean()) {
                byId.put(i.path("instanceId").asString(), i);
            }
        });
        return byId;
    }

    /**
     * Four instances, all HEALTHY, none on the lost node, and each of them in the gateway's table
     * and not ejected. The table may still list the lost node's instances for a while (the
     * gateway's {@code vanished-grace} bridges an agent restart); their refused connections eject
     * them and idempotent requests are retried elsewhere.
     */
    static boolean healedAndRouted(Map<String, JsonNode> instances, String lostNode) throws Exception {
        if (instances.size() != 4 || !instances.values().stream().allMatch(i -> i.path("state").asString().equals("HEALTHY")
                && !i.path("nodeId").asString().equals(lostNode))) {
            return false;
        }
        Set<String> routable = new HashSet<>();
        platform.routing(HOST).path("instances").forEach(i -> {
            if (!i.path("ejected").asBoolean()) {
                routable.add(i.path("instanceId").asString());
            }
        });
        return routable.containsAll(instances.keySet());
    }

    static void assertSpreadOverZones(java.util.Collection<JsonNode> instances) {
        Map<String, Long> perZone = new TreeMap<>();
        ZONES.forEach(zone -> perZone.put(zone, 0L));
        instances.forEach(i -> perZone.merge(i.path("zone").asString(), 1L, Long::sum));
        assertThat(perZone).as("instances per zone").containsOnlyKeys(ZONES)
                .allSatisfy((zone, count) -> assertThat(count).as(zone).isBetween(1L, 2L));
    }

    /** Each live agent's containers (by the {@code io.atoll.node} label) are exactly the instances placed on its node. */
    static void assertEachAgentRunsExactlyItsOwn(java.util.Collection<JsonNode> instances) throws Exception {
        for (AtollPlatform.Agent agent : platform.agents) {
            Set<String> placed = instances.stream().filter(i -> i.path("nodeId").asString().equals(agent.nodeId))
                    .map(i -> i.path("instanceId").asString()).collect(Collectors.toSet());
            assertThat(agent.containers().keySet()).as("containers of %s", agent.nodeId).isEqualTo(placed);
        }
    }

    static void assertStrangerUntouched() throws Exception {
        assertThat(DockerCli.run("inspect", "--format", "{{.State.Running}} {{.RestartCount}}", stranger))
                .as("a container of a node no agent runs").isEqualTo("true 0");
    }

    /** Asks the gateway until every instance has answered; @return instance id → the zone it says it runs in. */
    static Map<String, String> awaitServedByAll(Set<String> ids) {
        Map<String, String> zones = new HashMap<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            HttpResponse<String> response = platform.viaGateway(HOST);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            Matcher hello = AtollPlatform.HELLO.matcher(response.body());
            if (hello.find()) {
                zones.put(hello.group(1), hello.group(3));
            }
            return zones.keySet().containsAll(ids);
        });
        assertThat(zones.keySet()).isEqualTo(ids);
        return zones;
    }

    /** When the containers of {@code release} died since {@code since}, as the engine's event log says, oldest first. */
    static List<Instant> dieEvents(Instant since, String release) throws Exception {
        List<Instant> times = new ArrayList<>();
        for (String line : DockerCli.lines("events", "--since", seconds(since.minusSeconds(1)),
                "--until", seconds(Instant.now()), "--filter", "event=die",
                "--filter", "label=io.atoll.release=" + release, "--format", "{{.TimeNano}}")) {
            long nanos = Long.parseLong(line.strip());
            times.add(Instant.ofEpochSecond(0, nanos));
        }
        times.sort(null);
        return times;
    }

    private static String seconds(Instant at) {
        return at.getEpochSecond() + "." + String.format("%09d", at.getNano());
    }

    static Instant eventAt(JsonNode deploy, String kind) {
        for (JsonNode event : deploy.path("events")) {
            if (event.path("kind").asString().equals(kind)) {
                return Instant.parse(event.path("at").asString());
            }
        }
        throw new AssertionError("deploy has no '" + kind + "' event: " + deploy);
    }

    private static double secondsBetween(Instant from, Instant to) {
        return to == null ? Double.NaN : Duration.between(from, to).toMillis() / 1000.0;
    }

    static void report(String format, Object... args) {
        System.out.println("[MultiNodeIT] " + String.format(java.util.Locale.ROOT, format, args));
    }
}
