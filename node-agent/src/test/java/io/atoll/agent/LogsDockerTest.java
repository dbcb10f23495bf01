package io.atoll.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import io.atoll.model.Assignment;
import io.atoll.model.InstanceState;
import io.atoll.model.LogLine;
import io.atoll.model.Resources;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 11 item 2 on the agent: its log endpoint streams what its instances print, tagged with
 * instance and stream, within a second when followed; it keeps the last lines of a container it
 * removed (in memory and on disk, across an agent restart); nothing an app prints breaks the
 * framing of the stream; bad input and a missing token are 4xx problems.
 */
class LogsDockerTest extends AgentDockerTestSupport {

    /** Prints whatever is written into its FIFO at /tmp/in, at once. */
    static final String ECHOES = "atoll/test-log-echo:1";
    /** Prints a 100 KB line, binary garbage, lines posing as SSE frames, then "end of hostile" on stderr, then sleeps. */
    static final String HOSTILE = "atoll/test-log-hostile:1";
    /** Prints two lines and exits 3, every time. */
    static final String EXITS = "atoll/test-exits-3:1";
    private static final String TOKEN = "logs-token-" + UUID.randomUUID();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Path keptDir;

    @BeforeAll
    static void images() throws Exception {
        buildImage(ECHOES, "CMD [\"/bin/sh\", \"-c\", \"mkfifo /tmp/in; echo ready; while true; do cat /tmp/in; done\"]");
        // The script as base64, so that none of its bytes needs escaping on its way through Java, JSON and sh:
        //   head -c 100000 /dev/zero | tr '\0' x; echo
        //   printf 'bin\000\001\377\376\033[2J\rcr\n'
        //   printf 'data: {"forged":true}\n\nevent: stdout\n'
        //   printf 'lone\rcarriage\r\n'
        //   echo 'end of hostile' >&2; sleep 600
        buildImage(HOSTILE, "RUN echo aGVhZCAtYyAxMDAwMDAgL2Rldi96ZXJvIHwgdHIgJ1wwJyB4OyBlY2hvCnByaW50ZiAnYmluXDAwMFwwMDFcMzc3XDM3NlwwMzNbMkpccmNyXG4nCnByaW50ZiAnZGF0YTogeyJmb3JnZWQiOnRydWV9XG5cbmV2ZW50OiBzdGRvdXRcbicKcHJpbnRmICdsb25lXHJjYXJyaWFnZVxyXG4nCmVjaG8gJ2VuZCBvZiBob3N0aWxlJyA+JjIKc2xlZXAgNjAwCg== | base64 -d > /hostile.sh", "CMD [\"/bin/sh\", \"/hostile.sh\"]");
        buildImage(EXITS,
                "CMD [\"/bin/sh\", \"-c\", \"echo connecting with $DB_PASSWORD; echo 'fatal: database unreachable' >&2; exit 3\"]");
    }

    @BeforeEach
    void dir() throws Exception {
        keptDir = Files.createTempDirectory("atoll-kept-logs");
    }

    private ConfigurableApplicationContext agent() {
        return startAgent(zookeeper.getConnectString(), "atoll.agent.logs.token=" + TOKEN,
                "atoll.agent.logs.dir=" + keptDir, "atoll.agent.logs.heartbeat=1s");
    }

    private static int port(ConfigurableApplicationContext agent) {
        return ((WebServerApplicationContext) agent).getWebServer().getPort();
    }

    private static HttpRequest.Builder request(ConfigurableApplicationContext agent, String query) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(agent) + "/api/v1/logs?" + query))
                .header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(10));
    }

    private Assignment assignment(String instance, String image, Map<String, String> env) {
        return new Assignment(instance, "logs", "r1", image, env, 8080, new Resources(64, 256, 1), null, List.of(), false);
    }

    private String containerOf(String instance) {
        return containers().stream()
                .filter(c -> instance.equals(c.getLabels().get(io.atoll.model.ContainerLabels.INSTANCE)))
                .findFirst().orElseThrow().getId();
    }

    @Test
    void aFollowedLineArrivesWithinASecondTaggedWithItsInstanceAndStream() throws Exception {
        ConfigurableApplicationContext agent = agent();
        String instance = newInstanceId();
        assign(assignment(instance, ECHOES, Map.of()));
        awaitStatus("logs", instance, s -> s.containerId() != null);

        HttpResponse<InputStream> response = http.send(request(agent, "app=logs&follow=true&tail=10")
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        BufferedReader events = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        assertThat(nextData(events).path("line").asString()).isEqualTo("ready");

        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String marker = "marker-" + i + "-" + UUID.randomUUID();
            long written = System.nanoTime();
            exec(containerOf(instance), "echo " + marker + " > /tmp/in");
            JsonNode data = nextData(events);
            long received = System.nanoTime();
            assertThat(data.path("line").asString()).isEqualTo(marker);
            assertThat(data.path("instance").asString()).isEqualTo(instance);
            assertThat(data.path("stream").asString()).isEqualTo("stdout");
            assertThat(data.path("node").asString()).isEqualTo(nodeId);
            Duration sinceDocker = Duration.between(Instant.parse(data.path("time").asString()), Instant.now());
            latencies.add((received - written) / 1_000_000);
            System.out.printf("followed line %d: %d ms from docker exec to the client, %d ms after Docker's timestamp%n",
                    i, (received - written) / 1_000_000, sinceDocker.toMillis());
            assertThat(Duration.ofNanos(received - written)).isLessThan(Duration.ofSeconds(1));
        }
        response.body().close();
        System.out.println("followed-line latencies (ms, including docker exec): " + latencies);
    }

    @Test
    void aFollowedStreamGoesOnWithEachRestartOfACrashingContainer() throws Exception {
        ConfigurableApplicationContext agent = agent();
        String instance = newInstanceId();
        HttpResponse<InputStream> response = http.send(request(agent, "app=logs&follow=true&tail=0")
                .header("Accept", "application/x-ndjson").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/x-ndjson");
        assign(assignment(instance, EXITS, Map.of("DB_PASSWORD", "hunter2-is-long")));
        BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        List<Instant> fatal = new ArrayList<>();
        long start = System.nanoTime();
        while (fatal.size() < 4) {
            JsonNode line = nextJsonLine(lines);
            assertThat(line.path("instance").asString()).isEqualTo(instance);
            if (line.path("line").asString().equals("fatal: database unreachable")) {
                assertThat(line.path("stream").asString()).isEqualTo("stderr");
                fatal.add(Instant.parse(line.path("time").asString()));
            }
        }
        System.out.printf("a crashing container followed through its first 4 runs in %d ms: %s%n",
                (System.nanoTime() - start) / 1_000_000, fatal);
        assertThat(fatal).as("each run's line once, in order").isSorted().doesNotHaveDuplicates();
        response.body().close();
    }

    @Test
    void aRemovedContainersLastLinesAreKeptAcrossAnAgentRestart() throws Exception {
        ConfigurableApplicationContext agent = agent();
        String instance = newInstanceId();
        assign(assignment(instance, EXITS, Map.of("DB_PASSWORD", "hunter2-is-long")));
        awaitState("logs", instance, InstanceState.CRASHLOOP);
        client.delete().forPath(paths.assignment(nodeId, instance));
        await().atMost(WITHIN).until(() -> containers().isEmpty());

        List<String> lines = await().atMost(WITHIN).until(() -> plain(agent, "instance=" + instance + "&tail=100"),
                text -> text.stream().anyMatch(l -> l.contains("fatal: database unreachable")));
        System.out.println("kept lines of the removed container:\n  " + String.join("\n  ", lines));
        assertThat(lines.get(0)).contains(" " + instance + " atoll container ").contains("was removed");
        assertThat(lines).anyMatch(l -> l.matches("\\S+ " + instance + " stderr fatal: database unreachable"));
        assertThat(lines).anyMatch(l -> l.matches("\\S+ " + instance + " stdout connecting with .*"));
        try (var files = Files.list(keptDir.resolve(nodeId))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(instance + ".json");
        }
        assertThat(agent.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                .get("atoll.agent.logs.kept.instances").gauge().value()).isEqualTo(1);

        agent.close();
        agents.remove(agent);
        ConfigurableApplicationContext restarted = agent();
        List<String> again = plain(restarted, "app=logs&tail=2");
        assertThat(again).as("after a restart, from disk; tail 2").hasSize(3);
        assertThat(again.get(0)).contains("was removed");
        assertThat(String.join("\n", again)).contains("fatal: database unreachable");
    }

    @Test
    void nothingAnAppPrintsBreaksTheFramingOfTheStream() throws Exception {
        ConfigurableApplicationContext agent = agent();
        String instance = newInstanceId();
        assign(assignment(instance, HOSTILE, Map.of()));
        awaitStatus("logs", instance, s -> s.containerId() != null);
        await().atMost(WITHIN).until(() -> String.join("\n", plain(agent, "instance=" + instance)),
                text -> text.contains("end of hostile"));

        // SSE: the raw bytes, framed by hand here to check every frame the way a browser would split them.
        byte[] raw = http.send(request(agent, "instance=" + instance).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        String body = new String(raw, StandardCharsets.UTF_8);
        List<JsonNode> data = new ArrayList<>();
        for (String frame : body.split("\n\n")) {
            if (frame.isBlank()) {
                continue;
            }
            String[] fields = frame.split("\r\n|\r|\n", -1);
            assertThat(fields).as("one event and one data field per frame: %s", abbreviate(frame)).hasSize(2);
            assertThat(fields[0]).matches("event:(stdout|stderr|atoll)");
            assertThat(fields[1]).startsWith("data:");
            JsonNode line = JSON.readTree(fields[1].substring(5));
            assertThat(line.path("instance").asString()).isEqualTo(instance);
            assertThat(fields[0]).isEqualTo("event:" + line.path("stream").asString());
            data.add(line);
        }
        List<String> texts = data.stream().map(d -> d.path("line").asString()).toList();
        System.out.printf("hostile container: %d bytes of SSE, %d events, line lengths %s%n", raw.length, data.size(),
                texts.stream().map(String::length).toList());
        // Docker copies stdout and stderr separately: the stderr line may come first.
        String longLine = texts.stream().filter(t -> t.startsWith("xxxx")).findFirst().orElseThrow();
        assertThat(longLine).as("the 100 KB line, cut at 8 KiB").hasSize(8 * 1024 - 3 + 1).endsWith("x…");
        assertThat(texts).contains("bin\u0000\u0001\uFFFD\uFFFD\u001b[2J\rcr", "data: {\"forged\":true}", "", "event: stdout",
                "lone\rcarriage", "end of hostile");
        assertThat(data.get(texts.indexOf("end of hostile")).path("stream").asString()).isEqualTo("stderr");

        // Plain text: one line per line printed, each starting with its time, instance and stream.
        List<String> plain = plain(agent, "instance=" + instance);
        assertThat(plain).hasSize(data.size());
        assertThat(plain).allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\S+ " + instance + " (stdout|stderr) .*"));
        assertThat(plain).anyMatch(l -> l.endsWith(" stdout bin\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD[2J\uFFFDcr"));
    }

    @Test
    void badInputAndAMissingTokenAreProblems() throws Exception {
        ConfigurableApplicationContext agent = agent();
        for (String query : List.of("app=logs&tail=-1", "app=logs&tail=10001", "app=logs&tail=abc", "app=logs&since=yesterday",
                "app=logs&follow=maybe", "tail=5", "app=../etc")) {
            HttpResponse<String> response = http.send(request(agent, query).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
            assertThat(JSON.readTree(response.body()).path("status").asInt()).isEqualTo(400);
        }
        HttpResponse<String> unknown = http.send(request(agent, "app=logs&instance=i-nosuch").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");

        for (String authorization : List.of("", "Bearer wrong", "Basic " + TOKEN)) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(agent)
                    + "/api/v1/logs?app=logs"));
            if (!authorization.isEmpty()) {
                builder.header("Authorization", authorization);
            }
            HttpResponse<String> refused = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(authorization).isEqualTo(401);
            assertThat(refused.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
            assertThat(refused.body()).doesNotContain(TOKEN);
        }
    }

    @Test
    void outsideDevWithoutATokenTheEndpointIsClosedAndTheAgentStillRuns() throws Exception {
        ConfigurableApplicationContext agent = startAgent(zookeeper.getConnectString(), "atoll.agent.logs.dir=" + keptDir);
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(agent)
                + "/api/v1/logs?app=logs")).header("Authorization", "Bearer anything").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("no atoll.agent.logs.token configured");
        String instance = newInstanceId();
        assign(assignment(instance));
        awaitState("hello", instance, InstanceState.HEALTHY);
    }

    @Test
    void theNodeEntryCarriesTheAgentsUrl() throws Exception {
        ConfigurableApplicationContext agent = agent();
        String url = await().atMost(WITHIN).until(() -> {
            byte[] bytes = client.getData().forPath(paths.node(nodeId));
            return codec.decode(bytes, io.atoll.model.NodeInfo.class).agentUrl();
        }, value -> value != null);
        assertThat(url).isEqualTo("http://127.0.0.1:" + port(agent));
    }

    private List<String> plain(ConfigurableApplicationContext agent, String query) throws Exception {
        HttpResponse<String> response = http.send(request(agent, query).header("Accept", "text/plain").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        return response.body().isEmpty() ? List.of() : List.of(response.body().split("\n"));
    }

    /** The data of the next event that is not a heartbeat. */
    private static JsonNode nextData(BufferedReader events) throws Exception {
        CompletableFuture<JsonNode> next = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = events.readLine(); line != null; line = events.readLine()) {
                    if (line.startsWith("data:")) {
                        return JSON.readTree(line.substring(5));
                    }
                }
                throw new IllegalStateException("the stream ended");
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return next.get(5, TimeUnit.SECONDS);
    }

    /** The next NDJSON line that is not a heartbeat (an empty line). */
    private static JsonNode nextJsonLine(BufferedReader lines) throws Exception {
        CompletableFuture<JsonNode> next = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.isEmpty()) {
                        return JSON.readTree(line);
                    }
                }
                throw new IllegalStateException("the stream ended");
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return next.get(10, TimeUnit.SECONDS);
    }

    private static void exec(String containerId, String command) throws Exception {
        ExecCreateCmdResponse exec = docker.execCreateCmd(containerId).withCmd("/bin/sh", "-c", command).exec();
        docker.execStartCmd(exec.getId()).start().awaitCompletion(5, TimeUnit.SECONDS);
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    static {
        // LogLine is what both ends speak; referenced here so a rename shows in this test.
        assertThat(LogLine.STDOUT).isEqualTo("stdout");
    }
}
