package io.atoll.platform.deploys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.atoll.model.InstanceState;
import io.atoll.platform.ApiTestSupport;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * The steps of a deploy reach an open event stream as the replica that saves them commits them,
 * not at the stream's next look at the database: with that look an hour apart, a whole deploy
 * still streams to its end. And a stream ends with the deploy's last step, not as soon as the
 * deploy's row says it is finished (which is committed a moment before that step).
 */
// A context of its own (another poll): its own ZooKeeper root and database.
@TestPropertySource(properties = {
        "atoll.platform.deploy.events-poll=1h",
        "atoll.platform.deploy.events-heartbeat=300ms",
        "atoll.zookeeper.root=/atoll-event-stream",
        "spring.datasource.url=jdbc:h2:mem:platform-api-event-stream;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000"})
class DeployEventStreamTest extends ApiTestSupport {

    @Autowired
    DeployRepository deploys;

    @Autowired
    DeployEventRepository steps;

    @Autowired
    DeployController controller;

    private HttpResponse<InputStream> open(String app, String id) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/apps/" + app + "/deploys/" + id + "/events")).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + TOKEN).build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    /** Reads the stream's event names into {@code events} until it ends. */
    private static CompletableFuture<Void> read(HttpResponse<InputStream> response, List<String> events) {
        return CompletableFuture.runAsync(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("event:")) {
                        events.add(line.substring(6).strip());
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void stepsSavedHereReachAnOpenStreamAsTheyAreSavedNotAtTheNextPoll() throws Exception {
        registerNode("node-live");
        createApp("{\"name\":\"live\"}");
        HttpResponse<String> started = send("POST", "/api/v1/apps/live/deploys", "{\"image\":\"hello:1\",\"instances\":1}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String id = json.readTree(started.body()).path("id").asString();

        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> ended = read(open("live", id), events);

        // The agent's part: the instance turns HEALTHY once placed. Everything after the stream's
        // first look can only come by the steps being pushed.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            report("node-live", "live-r1-", InstanceState.HEALTHY);
            return events.contains("succeeded");
        });
        ended.get(10, TimeUnit.SECONDS);
        assertThat(events).startsWith("created").contains("release", "rolling", "placed").endsWith("succeeded");
    }

    @Test
    void aStreamEndsWithTheDeploysLastStepNotWithItsFinishedRow() throws Exception {
        createApp("{\"name\":\"racy\"}");
        // What a stream can find between the two commits of a deploy's end: the row says SUCCEEDED,
        // the step that says so is not saved yet. (A finished deploy: no controller touches it.)
        Instant now = Instant.now();
        String id = UUID.randomUUID().toString();
        deploys.save(new Deploy(id, "racy", "hello:1", 1, null, null, DeployStatus.SUCCEEDED, null, "deploy", "rolling",
                1, 0, 0, 60, 0, null, "test", now, now, now, now, null));
        steps.save(new DeployEvent(null, id, now, "created", "deploy of hello:1"));
        steps.save(new DeployEvent(null, id, now, "draining", "draining racy-r0-000000"));

        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> ended = read(open("racy", id), events);
        await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("draining"));
        Thread.sleep(300);
        assertThat(ended).as("ended before the last step").isNotDone();

        steps.save(new DeployEvent(null, id, Instant.now(), "succeeded", "v1 serves with 1 healthy instance(s)"));
        ended.get(1, TimeUnit.SECONDS);
        assertThat(events).containsExactly("created", "draining", "succeeded");
    }

    @Test
    void aQuietStreamGetsHeartbeatsSoProxiesKeepIt() throws Exception {
        createApp("{\"name\":\"quiet\"}");
        Instant now = Instant.now();
        String id = UUID.randomUUID().toString();
        deploys.save(new Deploy(id, "quiet", "hello:1", 1, null, null, DeployStatus.RUNNING, null, "deploy", "rolling",
                1, 0, 0, 60, 0, null, "test", now, now, now, null, null));
        steps.save(new DeployEvent(null, id, now, "created", "deploy of hello:1"));
        List<String> seen = new CopyOnWriteArrayList<>();
        // without heartbeats the read would wait for a step that never comes: a failure, not a hang
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(open("quiet", id).body(),
                    StandardCharsets.UTF_8))) {
                while (seen.stream().filter(line -> line.startsWith(":")).count() < 2) {
                    seen.add(String.valueOf(lines.readLine()));
                }
            }
        }, () -> "comment lines while no step comes: " + seen);
        assertThat(seen).contains("event:created");
    }

    /**
     * What the context's shutdown does first (a lifecycle stop, before the web server's graceful shutdown, which
     * waits for open streams as for any async request): open streams end at once, and one opened in the moment
     * before the port closes gets the steps there are and ends too. The CLI resumes either after its last step.
     */
    @Test
    void aReplicaGoingDownEndsItsOpenStreams() throws Exception {
        createApp("{\"name\":\"leaving\"}");
        Instant now = Instant.now();
        String id = UUID.randomUUID().toString();
        deploys.save(new Deploy(id, "leaving", "hello:1", 1, null, null, DeployStatus.RUNNING, null, "deploy",
                "rolling", 1, 0, 0, 60, 0, null, "test", now, now, now, null, null));
        steps.save(new DeployEvent(null, id, now, "created", "deploy of hello:1"));
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> ended = read(open("leaving", id), events);
        await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("created"));

        controller.stop();
        try {
            ended.get(2, TimeUnit.SECONDS);
            assertThat(events).containsExactly("created");
            List<String> late = new CopyOnWriteArrayList<>();
            read(open("leaving", id), late).get(2, TimeUnit.SECONDS);
            assertThat(late).containsExactly("created");
        } finally {
            controller.start();
        }
    }
}
