package io.atoll.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Issue 11 item 2 end to end: {@code GET /api/v1/apps/{app}/logs} on platform-api merges the lines
 * of an app's instances on three node agents (processes, real Docker engine, the agents' token
 * required); a followed line arrives within a second; nothing an app prints breaks the framing of
 * the SSE bytes the client receives; the last lines of a crashed, removed container are still
 * returned; an agent that dies is said in the stream and a request still answers 200.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogsIT {

    static final String APP = "chatty";
    static final String TOKEN = "agents-" + UUID.randomUUID();
    /**
     * Serves /healthz and prints whatever is written into its FIFO /tmp/in, at once (base64, so that
     * nothing needs escaping on its way through Java, the Dockerfile and sh):
     * <pre>
     *   mkdir -p /tmp/www
     *   echo ok > /tmp/www/healthz
     *   httpd -p "${PORT:-8080}" -h /tmp/www
     *   mkfifo /tmp/in
     *   echo "started $ATOLL_INSTANCE"
     *   while true; do cat /tmp/in; done
     * </pre>
     */
    static final String APP_SCRIPT = "bWtkaXIgLXAgL3RtcC93d3cKZWNobyBvayA+IC90bXAvd3d3L2hlYWx0aHoKaHR0cGQgLXAgIiR7UE9SVDotODA4MH0iIC1oIC90bXAvd3d3Cm1rZmlmbyAvdG1wL2luCmVjaG8gInN0YXJ0ZWQgJEFUT0xMX0lOU1RBTkNFIgp3aGlsZSB0cnVlOyBkbyBjYXQgL3RtcC9pbjsgZG9uZQo=";

    static AtollPlatform platform;
    static SseReader follow;

    @BeforeAll
    static void startThreeNodes() throws Exception {
        platform = AtollPlatform.start("logs", List.of("zone-a", "zone-b", "zone-c"),
                List.of("--atoll.platform.agents.token=" + TOKEN, "--atoll.platform.logs.heartbeat=1s"),
                List.of("--atoll.agent.logs.token=" + TOKEN));
        platform.loginAsCi(); // CI may push to the repository hello only
        platform.buildAndPush("hello:chatty", "FROM atoll/busybox:local\nRUN echo " + APP_SCRIPT
                + " | base64 -d > /app.sh\nCMD [\"/bin/sh\", \"/app.sh\"]");
        platform.buildAndPush("hello:chatty-crash", "FROM atoll/busybox:local\n"
                + "CMD [\"/bin/sh\", \"-c\", \"echo 'connecting to the database'; echo 'fatal: database unreachable' >&2; exit 3\"]");
        HttpResponse<String> created = platform.api("POST", "/api/v1/apps",
                "{\"name\":\"" + APP + "\",\"containerPort\":8080,\"healthPath\":\"/healthz\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (follow != null) {
            follow.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    @Order(1)
    void aFollowedLineOfEachInstanceOnThreeAgentsArrivesWithinASecond() throws Exception {
        JsonNode deploy = platform.deployAndWait(APP, "hello:chatty", 3);
        assertThat(deploy.path("status").asString()).as(deploy.toString()).isEqualTo("SUCCEEDED");
        Map<String, String> nodeOf = instancesByNode();
        assertThat(Set.copyOf(nodeOf.values())).as("one instance per agent").hasSize(3);

        follow = SseReader.open(uri("/api/v1/apps/" + APP + "/logs?follow=true&tail=5"));
        for (String instance : nodeOf.keySet()) {
            follow.await(e -> e.line().equals("started " + instance), Duration.ofSeconds(10), 0);
        }
        Map<String, String> containers = platform.containers();
        List<Long> fromExec = new ArrayList<>();
        for (var entry : nodeOf.entrySet()) {
            String instance = entry.getKey();
            String marker = "marker-" + UUID.randomUUID();
            long written = System.nanoTime();
            say(containers.get(instance).split("\\|")[0], "echo " + marker + " > /tmp/in");
            SseReader.Event event = follow.await(e -> e.line().equals(marker), Duration.ofSeconds(5));
            long ms = (event.nanos() - written) / 1_000_000;
            fromExec.add(ms);
            System.out.printf("followed line of %s on %s: %d ms after docker exec began, %d ms after Docker's timestamp%n",
                    instance, entry.getValue(), ms,
                    Duration.between(Instant.parse(event.data().path("time").asString()), event.received()).toMillis());
            assertThat(event.name()).isEqualTo("stdout");
            assertThat(event.data().path("instance").asString()).isEqualTo(instance);
            assertThat(event.data().path("node").asString()).isEqualTo(entry.getValue());
            assertThat(Duration.ofMillis(ms)).isLessThan(Duration.ofSeconds(1));
        }
        System.out.println("followed lines from 3 agents, ms after docker exec began: " + fromExec);
    }

    @Test
    @Order(2)
    void nothingAnAppPrintsBreaksTheFramingOfTheBytesTheClientReceives() throws Exception {
        String instance = instancesByNode().keySet().iterator().next();
        String container = platform.containers().get(instance).split("\\|")[0];
        String end = "after-hostile-" + UUID.randomUUID();
        byte[] tail = ("data: {\"forged\":true}\n\nevent: stdout\nid: 99\n"
                + "bin\u0000\u0001\u00ff\u00fe\u001b[2J\rcr\n" + "lone\rcarriage\r\n" + end + "\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        int before = follow.frames.size();
        say(container, "{ head -c 100000 /dev/zero | tr '\\0' x; echo; echo " + Base64.getEncoder().encodeToString(tail)
                + " | base64 -d; } > /tmp/in");
        follow.await(e -> e.line().equals(end), Duration.ofSeconds(5));
        List<String> lines = follow.frames.subList(before, follow.frames.size()).stream()
                .filter(f -> !f.isComment()).map(SseReader.Event::line).toList();
        System.out.printf("hostile output through platform-api: lines of %s characters%n",
                lines.stream().map(String::length).toList());
        assertThat(lines.get(0)).as("the 100 KB line, cut by the agent at 8 KiB").hasSize(8 * 1024 - 2).endsWith("x…");
        assertThat(lines.subList(1, lines.size())).containsExactly("data: {\"forged\":true}", "", "event: stdout", "id: 99",
                "bin\u0000\u0001\uFFFD\uFFFD\u001b[2J\rcr", "lone\rcarriage", end);
        follow.assertEveryFrameWellFormed();
    }

    @Test
    @Order(3)
    void theLastLinesOfACrashedAndRemovedContainerAreStillReturned() throws Exception {
        Set<String> serving = instancesByNode().keySet();
        String id = platform.startDeploy(APP, "{\"image\":\"hello:chatty-crash\",\"instances\":3}");
        JsonNode deploy = platform.awaitDeploy(APP, id, Duration.ofSeconds(90));
        assertThat(deploy.path("status").asString()).as(deploy.toString()).isEqualTo("ROLLED_BACK");
        // Removed: no container of this platform's nodes is left but the serving instances'.
        await().atMost(Duration.ofSeconds(30)).until(() -> allContainers().size() == serving.size());

        String text = await().atMost(Duration.ofSeconds(10)).until(() -> plain("/api/v1/apps/" + APP + "/logs?tail=5"),
                body -> body.contains(" stderr fatal: database unreachable"));
        String crashed = text.lines().filter(l -> l.endsWith(" stderr fatal: database unreachable"))
                .map(l -> l.split(" ")[1]).findFirst().orElseThrow();
        assertThat(serving).doesNotContain(crashed);
        String one = plain("/api/v1/apps/" + APP + "/logs?instance=" + crashed + "&tail=2");
        System.out.println("kept lines of crashed and removed instance " + crashed + ":\n" + one);
        assertThat(one.lines().findFirst().orElseThrow()).contains(" " + crashed + " atoll container ")
                .contains(" was removed at ");
        assertThat(one).contains(crashed + " stderr fatal: database unreachable")
                .contains(crashed + " stdout connecting to the database");
        assertThat(follow.frames).as("the followed stream saw the crashes as they happened")
                .anyMatch(f -> !f.isComment() && f.data().path("instance").asString().equals(crashed));
    }

    @Test
    @Order(4)
    void badInputIsAProblemAndTheAgentsWantTheirToken() throws Exception {
        for (String query : List.of("tail=-1", "tail=99999999", "since=last-tuesday", "follow=perhaps")) {
            HttpResponse<String> response = platform.api("GET", "/api/v1/apps/" + APP + "/logs?" + query, null);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        }
        HttpResponse<String> noApp = platform.api("GET", "/api/v1/apps/nosuch/logs", null);
        assertThat(noApp.statusCode()).isEqualTo(404);
        assertThat(noApp.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        HttpResponse<String> noInstance = platform.api("GET", "/api/v1/apps/" + APP + "/logs?instance=i-nosuch", null);
        assertThat(noInstance.statusCode()).isEqualTo(404);
        assertThat(noInstance.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");

        HttpResponse<String> direct = AtollPlatform.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + platform.agents.get(0).port + "/api/v1/logs?app=" + APP)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(direct.statusCode()).as("an agent's log endpoint without the token").isEqualTo(401);
    }

    @Test
    @Order(5)
    void anAgentThatDiesIsSaidInTheStreamAndTheRequestStillAnswers() throws Exception {
        AtollPlatform.Agent dying = platform.agents.get(2);
        int before = follow.frames.size();
        long killed = System.nanoTime();
        dying.kill();
        SseReader.Event notice = follow.await(e -> e.name().equals("atoll") && e.data().path("node").asString()
                .equals(dying.nodeId), Duration.ofSeconds(10), before);
        System.out.printf("agent %s killed: the followed stream said so after %d ms: %s%n", dying.nodeId,
                (notice.nanos() - killed) / 1_000_000, notice.line());
        String text = plain("/api/v1/apps/" + APP + "/logs?tail=1");
        System.out.println("a new request meanwhile:\n" + text);
        assertThat(text).contains(" - atoll the agent of node " + dying.nodeId + " refused the connection: "
                + "its instances' lines are missing");
        // The other agents' instances are still there, in the same answer.
        instancesByNode().forEach((instance, node) -> {
            if (!node.equals(dying.nodeId)) {
                assertThat(text).contains(" " + instance + " ");
            }
        });
        follow.assertEveryFrameWellFormed();
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** The app's serving instances and their nodes, as the API lists them. */
    private static Map<String, String> instancesByNode() throws Exception {
        Map<String, String> nodeOf = new TreeMap<>();
        for (JsonNode instance : platform.apiJson("/api/v1/apps/" + APP + "/instances")) {
            if (!instance.path("draining").asBoolean()) {
                nodeOf.put(instance.path("instanceId").asString(), instance.path("nodeId").asString());
            }
        }
        return nodeOf;
    }

    private static List<String> allContainers() throws Exception {
        List<String> all = new ArrayList<>();
        for (AtollPlatform.Agent agent : platform.agents) {
            all.addAll(agent.allContainerIds());
        }
        return all;
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + platform.apiPort + path);
    }

    private static String plain(String path) throws Exception {
        HttpResponse<String> response = AtollPlatform.HTTP.send(HttpRequest.newBuilder(uri(path))
                .header("Accept", "text/plain").timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        return response.body();
    }

    /** Runs a shell command in the container, which writes to the app's FIFO: the app prints it. */
    private static void say(String container, String command) throws Exception {
        DockerCli.run("exec", container, "/bin/sh", "-c", command);
    }

    /**
     * The raw bytes of an SSE response, cut into frames at each blank line as a browser's
     * EventSource would; every frame kept, with when it arrived, and every one that is not a
     * comment or exactly one {@code event:} and one JSON {@code data:} field noted as malformed.
     */
    static final class SseReader implements AutoCloseable {

        record Event(long nanos, Instant received, String raw, String name, JsonNode data) {
            boolean isComment() {
                return name == null;
            }

            String line() {
                return data == null ? "" : data.path("line").asString();
            }
        }

        final List<Event> frames = new CopyOnWriteArrayList<>();
        final List<String> malformed = new CopyOnWriteArrayList<>();
        private final BlockingQueue<Event> arrivals = new LinkedBlockingQueue<>();
        private final InputStream body;

        private SseReader(InputStream body) {
            this.body = body;
            Thread reader = new Thread(this::read, "sse-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static SseReader open(URI uri) throws Exception {
            HttpResponse<InputStream> response = AtollPlatform.HTTP.send(HttpRequest.newBuilder(uri)
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
            return new SseReader(response.body());
        }

        private void read() {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            int previous = -1;
            try {
                for (int b = body.read(); b >= 0; b = body.read()) {
                    if (b == '\r') {
                        malformed.add("a CR byte, which EventSource also reads as a line end");
                    }
                    if (b == '\n' && previous == '\n') {
                        byte[] bytes = frame.toByteArray();
                        frame.reset();
                        previous = -1;
                        parse(new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8));
                        continue;
                    }
                    frame.write(b);
                    previous = b;
                }
            } catch (Exception e) {
                // closed
            }
        }

        private void parse(String raw) {
            long nanos = System.nanoTime();
            Instant now = Instant.now();
            List<String> fields = List.of(raw.split("\n", -1));
            if (fields.size() == 1 && fields.get(0).startsWith(":")) {
                frames.add(new Event(nanos, now, raw, null, null));
                return;
            }
            if (fields.size() != 2 || !fields.get(0).startsWith("event:") || !fields.get(1).startsWith("data:")) {
                malformed.add(raw.length() > 300 ? raw.substring(0, 300) + "..." : raw);
                return;
            }
            try {
                JsonNode data = AtollPlatform.JSON.readTree(fields.get(1).substring(5));
                String name = fields.get(0).substring(6);
                if (!name.equals(data.path("stream").asString())) {
                    malformed.add(raw);
                    return;
                }
                Event event = new Event(nanos, now, raw, name, data);
                frames.add(event);
                arrivals.add(event);
            } catch (RuntimeException e) {
                malformed.add(raw);
            }
        }

        /** The first event from now on that is wanted. */
        Event await(Predicate<Event> wanted, Duration atMost) throws InterruptedException {
            return await(wanted, atMost, -1);
        }

        /** The first wanted event from frame {@code from} on (any received already included), or from now on if -1. */
        Event await(Predicate<Event> wanted, Duration atMost, int from) throws InterruptedException {
            if (from >= 0) {
                for (Event event : frames.subList(from, frames.size())) {
                    if (!event.isComment() && wanted.test(event)) {
                        return event;
                    }
                }
            }
            long deadline = System.nanoTime() + atMost.toNanos();
            while (true) {
                Event event = arrivals.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (event == null) {
                    throw new AssertionError("no such event within " + atMost + "; last frames: " + frames.stream()
                            .skip(Math.max(0, frames.size() - 5)).map(Event::raw).collect(Collectors.joining(" | ")));
                }
                if (wanted.test(event)) {
                    return event;
                }
            }
        }

        void assertEveryFrameWellFormed() {
            assertThat(malformed).as("frames that are not one event and one JSON data field").isEmpty();
            assertThat(frames).isNotEmpty();
        }

        @Override
        public void close() throws Exception {
            body.close();
        }
    }
}
