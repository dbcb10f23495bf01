package io.atoll.platform.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.Assignment;
import io.atoll.model.InstanceProblem;
import io.atoll.model.InstanceState;
import io.atoll.platform.ApiTestSupport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Issue 10 through the API, against a real ZooKeeper and H2, the agents played by the test: a
 * crashing release rolls back by itself with the agent's reason, the release ledger records
 * deploys, rollbacks, config changes and scales, secrets never come back, one deploy at a time,
 * deletes and maintenance drain, and a deploy survives its controllers stopping mid-way.
 */
class ControlPlaneTest extends ApiTestSupport {

    @Autowired
    Leadership leadership;

    private String deploy(String app, String body) throws Exception {
        HttpResponse<String> response = send("POST", "/api/v1/apps/" + app + "/deploys", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return json.readTree(response.body()).path("id").asString();
    }

    /** Plays a healthy agent until the deploy ends. */
    private JsonNode healthyUntilDone(String node, String app, String id) throws Exception {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            reportAll(node, InstanceState.HEALTHY);
            leaveDrained(node);
            return json.readTree(send("GET", "/api/v1/apps/" + app + "/deploys/" + id, null).body());
        }, body -> body.path("status").asString().matches("SUCCEEDED|FAILED|ROLLED_BACK"));
    }

    @Test
    void aNewReleaseThatCrashesRollsBackAtOnceWithTheAgentsReason() throws Exception {
        registerNode("node-crash");
        createApp("{\"name\":\"crashy\"}");
        JsonNode first = healthyUntilDone("node-crash", "crashy", deploy("crashy", "{\"image\":\"hello:1\",\"instances\":2}"));
        assertThat(first.path("status").asString()).isEqualTo("SUCCEEDED");

        String second = deploy("crashy", "{\"image\":\"hello:2\",\"instances\":2,\"progressDeadlineSeconds\":600}");
        await().atMost(Duration.ofSeconds(5)).until(() -> assignments("node-crash").stream().anyMatch(id -> id.startsWith("crashy-r2-")));
        Instant crashed = Instant.now();
        report("node-crash", "crashy-r2-", InstanceState.CRASHLOOP, new InstanceProblem(InstanceProblem.Kind.EXITED,
                null, 3, null, List.of("starting", "fatal: no DATABASE_URL"), 3, crashed));

        JsonNode done = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            leaveDrained("node-crash");
            return json.readTree(send("GET", "/api/v1/apps/crashy/deploys/" + second, null).body());
        }, body -> body.path("status").asString().equals("ROLLED_BACK"));
        assertThat(Duration.between(crashed, Instant.now())).isLessThan(Duration.ofSeconds(10));
        assertThat(done.path("reason").asString()).contains("CRASHLOOP").contains("exited with code 3")
                .contains("fatal: no DATABASE_URL");
        assertThat(done.path("fromRelease").asString()).isEqualTo("v1");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            leaveDrained("node-crash");
            return assignments("node-crash").size() == 2
                    && assignments("node-crash").stream().allMatch(id -> id.startsWith("crashy-r1-"));
        });
        JsonNode app = json.readTree(send("GET", "/api/v1/apps/crashy", null).body());
        assertThat(app.path("release").path("version").asString()).isEqualTo("v1");
    }

    @Test
    void rollbackConfigAndScaleAreReleasesAndSecretsNeverComeBack() throws Exception {
        registerNode("node-ledger");
        createApp("{\"name\":\"ledger\"}");
        healthyUntilDone("node-ledger", "ledger", deploy("ledger", "{\"image\":\"hello:1\",\"instances\":1}"));
        healthyUntilDone("node-ledger", "ledger", deploy("ledger", "{\"image\":\"hello:2\",\"instances\":1}"));

        // config: a new release rolled out; the secret reaches the instance's environment only
        HttpResponse<String> config = send("PUT", "/api/v1/apps/ledger/config",
                "{\"GREETING\":\"hi\",\"DB_PASSWORD\":{\"value\":\"hunter2-secret\",\"secret\":true}}");
        assertThat(config.statusCode()).as(config.body()).isEqualTo(202);
        assertThat(config.body()).doesNotContain("hunter2-secret");
        JsonNode configDeploy = healthyUntilDone("node-ledger", "ledger",
                json.readTree(config.body()).path("deploy").path("id").asString());
        assertThat(configDeploy.path("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(assignmentsOf("node-ledger")).filteredOn(a -> !a.draining()).isNotEmpty().allSatisfy(a -> {
            assertThat(a.env()).containsEntry("DB_PASSWORD", "hunter2-secret").containsEntry("GREETING", "hi");
        });
        HttpResponse<String> shown = send("GET", "/api/v1/apps/ledger/config", null);
        assertThat(shown.body()).doesNotContain("hunter2-secret").contains("\"secret\":true").contains("********");

        // rollback to v1: v4, with v1's image and config (none), cause "rollback to v1"
        HttpResponse<String> rollback = send("POST", "/api/v1/apps/ledger/rollback", "{\"release\":\"v1\"}");
        assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(202);
        JsonNode rolled = healthyUntilDone("node-ledger", "ledger",
                json.readTree(rollback.body()).path("deploy").path("id").asString());
        assertThat(rolled.path("status").asString()).isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            leaveDrained("node-ledger");
            List<Assignment> running = assignmentsOf("node-ledger");
            return running.size() == 1 && running.get(0).image().endsWith(DIGEST) && running.get(0).env().isEmpty();
        });

        // scale: v5, same spec, nothing restarts
        String before = assignments("node-ledger").get(0);
        HttpResponse<String> scale = send("POST", "/api/v1/apps/ledger/scale", "{\"instances\":3}");
        assertThat(scale.statusCode()).as(scale.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(5)).until(() -> assignments("node-ledger").size() == 3);
        assertThat(assignments("node-ledger")).contains(before);

        JsonNode releases = json.readTree(send("GET", "/api/v1/apps/ledger/releases", null).body());
        assertThat(releases.findValuesAsString("version")).containsExactly("v5", "v4", "v3", "v2", "v1");
        assertThat(releases.findValuesAsString("cause")).containsExactly("scale", "rollback", "config", "deploy", "deploy");
        assertThat(releases.get(1).path("causeDetail").asString()).isEqualTo("rollback to v1");
        assertThat(releases.get(2).path("causeDetail").asString()).isEqualTo("set DB_PASSWORD, GREETING");
        assertThat(releases.get(0).path("serving").asBoolean()).isTrue();
        assertThat(releases.toString()).doesNotContain("hunter2-secret");
        assertThat(send("GET", "/api/v1/apps/ledger/releases/v3", null).body()).doesNotContain("hunter2-secret")
                .contains("DB_PASSWORD");
        assertThat(send("GET", "/api/v1/apps/ledger/deploys/" + configDeploy.path("id").asString(), null).body())
                .doesNotContain("hunter2-secret");
    }

    @Test
    void aDeploySucceedsInThePassThatDrainsTheLastOldInstance() throws Exception {
        registerNode("node-quick");
        createApp("{\"name\":\"quick\"}");
        healthyUntilDone("node-quick", "quick", deploy("quick", "{\"image\":\"hello:1\",\"instances\":1}"));
        String second = deploy("quick", "{\"image\":\"hello:2\",\"instances\":1}");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> assignments("node-quick").stream().anyMatch(id -> id.startsWith("quick-r2-")));

        // The new instance turns HEALTHY, and that is the last the agent says: the old one is not
        // reported DRAINING nor gone. Nothing but that report wakes the deploy, and it is done at once.
        report("node-quick", "quick-r2-", InstanceState.HEALTHY);
        JsonNode done = awaitDeploy("quick", second);
        assertThat(done.path("status").asString()).isEqualTo("SUCCEEDED");
        JsonNode draining = null;
        JsonNode succeeded = null;
        for (JsonNode event : done.path("events")) {
            switch (event.path("kind").asString()) {
                case "draining" -> draining = event;
                case "succeeded" -> succeeded = event;
                default -> { }
            }
        }
        assertThat(draining).as("the old instance drained").isNotNull();
        assertThat(succeeded).isNotNull();
        assertThat(succeeded.path("at").asString()).as("one pass drained the old instance and ended the deploy")
                .isEqualTo(draining.path("at").asString());
    }

    @Test
    void oneDeployAtATimeAndTheSecondIsA409NamingTheFirst() throws Exception {
        registerNode("node-busy");
        createApp("{\"name\":\"busy\"}");
        String first = deploy("busy", "{\"image\":\"hello:1\",\"instances\":1}");
        HttpResponse<String> second = send("POST", "/api/v1/apps/busy/deploys", "{\"image\":\"hello:2\"}");
        JsonNode problem = assertProblem(second, 409);
        assertThat(problem.path("deployId").asString()).isEqualTo(first);
        assertProblem(send("POST", "/api/v1/apps/busy/scale", "{\"instances\":2}"), 409);
        healthyUntilDone("node-busy", "busy", first);
    }

    @Test
    void badInputToTheNewEndpointsIsA4xxProblem() throws Exception {
        createApp("{\"name\":\"picky\"}");
        assertProblem(send("POST", "/api/v1/apps/picky/rollback", "{\"release\":\"v9\"}"), 404);
        assertProblem(send("POST", "/api/v1/apps/picky/rollback", "{\"release\":\"version-two\"}"), 400);
        assertProblem(send("POST", "/api/v1/apps/picky/rollback", "{}"), 400);
        assertProblem(send("GET", "/api/v1/apps/picky/releases/v0", null), 400);
        assertProblem(send("GET", "/api/v1/apps/picky/releases/v7", null), 404);
        assertProblem(send("POST", "/api/v1/apps/picky/scale", "{\"instances\":-1}"), 400);
        assertProblem(send("POST", "/api/v1/apps/picky/scale", "{\"instances\":100000}"), 400);
        assertProblem(send("POST", "/api/v1/apps/picky/scale", "{\"instances\":\"3\"}"), 400);
        assertProblem(send("POST", "/api/v1/apps/picky/scale", "{\"instances\":2}"), 409);
        assertProblem(send("PUT", "/api/v1/apps/picky/config", "{\"9LIVES\":\"x\"}"), 400);
        assertProblem(send("PUT", "/api/v1/apps/picky/config", "{\"PORT\":\"1\"}"), 400);
        assertProblem(send("PUT", "/api/v1/apps/picky/config", "{\"A\":3}"), 400);
        assertProblem(send("PUT", "/api/v1/apps/picky/config", "{\"A\":{\"value\":\"x\",\"secret\":\"yes\"}}"), 400);
        assertProblem(send("PUT", "/api/v1/apps/picky/config", "{\"A\":null}"), 400);
        assertProblem(send("PUT", "/api/v1/apps/picky/config", "[]"), 400);
        assertProblem(send("POST", "/api/v1/apps/picky/deploys", "{\"image\":\"hello:1\",\"instances\":0}"), 400);
        assertProblem(send("POST", "/api/v1/apps/picky/deploys", "{\"image\":\"hello:1\",\"maxSurge\":-1}"), 400);
        assertProblem(send("GET", "/api/v1/apps/picky/deploys/nope/events", null), 404);
        assertProblem(send("PUT", "/api/v1/nodes/ghost/maintenance", "{\"enabled\":true}"), 404);
        assertProblem(send("PUT", "/api/v1/nodes/ghost/maintenance", "{}"), 400);
        assertProblem(send("DELETE", "/api/v1/apps/nobody", null), 404);
        // config before any image: a release, nothing to roll out
        HttpResponse<String> early = send("PATCH", "/api/v1/apps/picky/config", "{\"A\":\"1\"}");
        assertThat(early.statusCode()).as(early.body()).isEqualTo(200);
        assertThat(json.readTree(early.body()).path("release").path("version").asString()).isEqualTo("v1");
    }

    @Test
    void deletingAnAppDrainsItsInstancesThenRemovesItsRouteAndRows() throws Exception {
        registerNode("node-gone");
        createApp("{\"name\":\"doomed\",\"hosts\":[\"doomed.example.com\"]}");
        healthyUntilDone("node-gone", "doomed", deploy("doomed", "{\"image\":\"hello:1\",\"instances\":2}"));
        assertThat(curator.checkExists().forPath(paths.route("doomed"))).isNotNull();

        HttpResponse<String> deleted = send("DELETE", "/api/v1/apps/doomed", null);
        assertThat(deleted.statusCode()).isEqualTo(202);
        assertThat(json.readTree(deleted.body()).path("deleting").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            reportAll("node-gone", InstanceState.HEALTHY);
            leaveDrained("node-gone");
            return send("GET", "/api/v1/apps/doomed", null).statusCode() == 404;
        });
        assertThat(assignments("node-gone")).isEmpty();
        assertThat(curator.checkExists().forPath(paths.route("doomed"))).isNull();
        // the host is free again
        assertThat(createApp("{\"name\":\"reborn\",\"hosts\":[\"doomed.example.com\"]}").statusCode()).isEqualTo(201);
    }

    @Test
    void aDeployOutlivesItsControllersStoppingMidway() throws Exception {
        registerNode("node-resume");
        createApp("{\"name\":\"resume\"}");
        healthyUntilDone("node-resume", "resume", deploy("resume", "{\"image\":\"hello:1\",\"instances\":2}"));
        String second = deploy("resume", "{\"image\":\"hello:2\",\"instances\":2}");
        await().atMost(Duration.ofSeconds(5)).until(() -> assignments("node-resume").size() == 3);

        // What a crashed or deposed leader leaves: a deploy half done, nothing in memory.
        leadership.stop();
        reportAll("node-resume", InstanceState.HEALTHY);
        Thread.sleep(1000);
        assertThat(deployStatus("resume", second)).isEqualTo("RUNNING");
        leadership.start();
        await().atMost(Duration.ofSeconds(10)).until(leadership::isLeader);

        JsonNode done = healthyUntilDone("node-resume", "resume", second);
        assertThat(done.path("status").asString()).isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            leaveDrained("node-resume");
            return assignments("node-resume").size() == 2
                    && assignments("node-resume").stream().allMatch(id -> id.startsWith("resume-r2-"));
        });
    }

    @Test
    void deployStepsStreamAsServerSentEvents() throws Exception {
        registerNode("node-sse");
        createApp("{\"name\":\"streamed\"}");
        String id = deploy("streamed", "{\"image\":\"hello:1\",\"instances\":1}");
        Thread agent = new Thread(() -> {
            try {
                healthyUntilDone("node-sse", "streamed", id);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        agent.start();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/apps/streamed/deploys/" + id + "/events")).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + TOKEN).build();
        HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        List<String> events = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("event:")) {
                    events.add(line.substring(6).strip());
                }
            }
        }
        agent.join();
        assertThat(events).startsWith("created", "release", "rolling").contains("placed").endsWith("succeeded");
    }

    @Test
    void aCanaryServesItsShareUntilPromotedAndAnAbortedOneLeavesNothing() throws Exception {
        registerNode("node-canary");
        createApp("{\"name\":\"birdie\"}");
        healthyUntilDone("node-canary", "birdie", deploy("birdie", "{\"image\":\"hello:1\",\"instances\":4}"));

        String canary = deploy("birdie", "{\"image\":\"hello:2\",\"strategy\":\"canary\",\"weight\":25}");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            reportAll("node-canary", InstanceState.HEALTHY);
            return deployStatus("birdie", canary).equals("CANARY");
        });
        assertThat(assignments("node-canary")).hasSize(5)
                .filteredOn(id -> id.startsWith("birdie-r2-")).hasSize(1);
        io.atoll.model.AppRoute route = codec.decode(curator.getData().forPath(paths.route("birdie")),
                io.atoll.model.AppRoute.class);
        assertThat(route.weights()).containsEntry("birdie-r2", 25).containsEntry("birdie-r1", 75);
        Thread.sleep(1000);
        assertThat(deployStatus("birdie", canary)).as("a canary waits for a person").isEqualTo("CANARY");

        assertThat(send("POST", "/api/v1/apps/birdie/deploys/" + canary + "/promote", null).statusCode()).isEqualTo(200);
        JsonNode promoted = healthyUntilDone("node-canary", "birdie", canary);
        assertThat(promoted.path("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(promoted.path("events").findValuesAsString("kind")).contains("canary", "promoted", "succeeded");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            leaveDrained("node-canary");
            return assignments("node-canary").size() == 4
                    && assignments("node-canary").stream().allMatch(id -> id.startsWith("birdie-r2-"));
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> codec.decode(curator.getData().forPath(paths.route("birdie")),
                io.atoll.model.AppRoute.class).weights().isEmpty());
        assertProblem(send("POST", "/api/v1/apps/birdie/deploys/" + canary + "/promote", null), 409);

        // an aborted canary: rolled back, its instance gone, the weights with it
        String aborted = deploy("birdie", "{\"image\":\"hello:1\",\"strategy\":\"canary\",\"weight\":10}");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            reportAll("node-canary", InstanceState.HEALTHY);
            return deployStatus("birdie", aborted).equals("CANARY");
        });
        assertThat(send("POST", "/api/v1/apps/birdie/deploys/" + aborted + "/abort", null).statusCode()).isEqualTo(200);
        JsonNode back = healthyUntilDone("node-canary", "birdie", aborted);
        assertThat(back.path("status").asString()).isEqualTo("ROLLED_BACK");
        assertThat(back.path("reason").asString()).startsWith("aborted by");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            leaveDrained("node-canary");
            return assignments("node-canary").size() == 4
                    && assignments("node-canary").stream().allMatch(id -> id.startsWith("birdie-r2-"));
        });
        assertProblem(send("POST", "/api/v1/apps/birdie/deploys", "{\"image\":\"hello:1\",\"strategy\":\"canary\"}"), 400);
        assertProblem(send("POST", "/api/v1/apps/birdie/deploys", "{\"image\":\"hello:1\",\"weight\":10}"), 400);
        assertProblem(send("POST", "/api/v1/apps/birdie/deploys",
                "{\"image\":\"hello:1\",\"strategy\":\"blue-green\",\"weight\":10}"), 400);
    }

    @Test
    void aNodeInMaintenanceHasItsInstancesReplacedElsewhereFirst() throws Exception {
        registerNode("node-old");
        createApp("{\"name\":\"movable\"}");
        healthyUntilDone("node-old", "movable", deploy("movable", "{\"image\":\"hello:1\",\"instances\":2}"));
        addNode("node-new");

        HttpResponse<String> maintenance = send("PUT", "/api/v1/nodes/node-old/maintenance", "{\"enabled\":true}");
        assertThat(maintenance.statusCode()).as(maintenance.body()).isEqualTo(200);
        int leastReady = Integer.MAX_VALUE;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while ((!assignments("node-old").isEmpty() || assignments("node-new").size() < 2) && System.nanoTime() < deadline) {
            int ready = (int) (assignmentsOf("node-old").stream().filter(a -> !a.draining()).count()
                    + assignmentsOf("node-new").stream().filter(a -> !a.draining()).count());
            leastReady = Math.min(leastReady, ready);
            reportAll("node-old", InstanceState.HEALTHY);
            reportAll("node-new", InstanceState.HEALTHY);
            leaveDrained("node-old");
            Thread.sleep(100);
        }
        assertThat(assignments("node-old")).isEmpty();
        assertThat(assignments("node-new")).hasSize(2);
        assertThat(leastReady).as("never fewer than 2 instances not draining").isGreaterThanOrEqualTo(2);
        assertThat(send("GET", "/api/v1/nodes", null).body()).contains("\"maintenance\":true");
        send("PUT", "/api/v1/nodes/node-old/maintenance", "{\"enabled\":false}");
    }
}
