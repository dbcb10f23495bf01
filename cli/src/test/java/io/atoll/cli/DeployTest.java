package io.atoll.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code atoll deploy}: the deploy's server-sent events as a progress display, and its end as the exit code. */
class DeployTest extends ApiFixture {

    private static final String DEPLOYS = "/api/v1/apps/hello/deploys";
    private static final String STARTED = """
            {"id":"d-1","app":"hello","image":"hello:v2","instances":2,"status":"PENDING","events":[]}""";

    /** The steps of a deploy that succeeds, as DeployController sends them. */
    private static final List<String[]> SUCCESS = List.of(
            step(1, "created", "deploy of hello:v2 with 2 instance(s)"),
            step(2, "release", "v4: hello:v2 pinned to 127.0.0.1:5000/hello@sha256:c0ffee"),
            step(3, "rolling", "rolling out v4 to 2 instance(s)"),
            step(4, "placed", "hello-4-a on node-1, hello-4-b on node-2"),
            step(5, "succeeded", "v4 serves 2 instance(s)"));

    private static final List<String[]> ROLLBACK = List.of(
            step(1, "created", "deploy of hello:broken with 2 instance(s)"),
            step(2, "release", "v5: hello:broken pinned to 127.0.0.1:5000/hello@sha256:bad"),
            step(3, "failed", "hello-5-a CRASHLOOP (exit code 3: \\u001b[31mpanic\\u001b[0m)"),
            step(4, "rolling-back", "rolling back to v4"),
            step(5, "rolled-back", "v4 serves again"));

    @BeforeEach
    void start() {
        api.on("POST", DEPLOYS, FakeApi.json(202, STARTED));
    }

    private static String[] step(long id, String kind, String message) {
        return new String[] {Long.toString(id), kind, "{\"id\":" + id + ",\"at\":\"2026-11-30T12:00:0" + id
                + "Z\",\"kind\":\"" + kind + "\",\"message\":\"" + message + "\"}"};
    }

    /** The events after {@code Last-Event-ID}, 30 ms apart; the stream ends after {@code until} (or the last). */
    private void streaming(List<String[]> steps, int until) {
        api.on("GET", DEPLOYS + "/d-1/events", (request, exchange) -> {
            String last = request.header("Last-Event-ID");
            long after = last == null ? 0 : Long.parseLong(last);
            OutputStream out = FakeApi.stream(exchange, "text/event-stream");
            for (String[] step : steps) {
                long id = Long.parseLong(step[0]);
                if (id > after && id <= until) {
                    FakeApi.event(out, id, step[1], step[2]);
                    sleep(30);
                }
            }
        });
    }

    private void finished(String status, String extra) {
        api.on("GET", DEPLOYS + "/d-1", FakeApi.json(200, "{\"id\":\"d-1\",\"app\":\"hello\",\"image\":\"hello:v2\","
                + "\"instances\":2,\"release\":\"v4\",\"status\":\"" + status + "\",\"createdAt\":\"2026-11-30T12:00:00Z\","
                + "\"finishedAt\":\"2026-11-30T12:00:12.500Z\"" + extra + "}"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aDeployPrintsOneLinePerStepAndAFinalLine() {
        streaming(SUCCESS, 5);
        finished("SUCCEEDED", "");

        Cli.Result result = cli.run("deploy", "hello:v2", "--app", "hello", "--instances", "2");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Json.parse(api.requests("POST", DEPLOYS).get(0).body()))
                .isEqualTo(Json.parse("{\"image\":\"hello:v2\",\"instances\":2}"));
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(7);
        assertThat(lines.get(0)).isEqualTo("Deploying hello:v2 to hello (deploy d-1)");
        assertThat(lines.get(1)).matches("  \\d\\d:\\d\\d:\\d\\d  created       deploy of hello:v2 with 2 instance\\(s\\)");
        assertThat(lines.get(2)).matches("  \\d\\d:\\d\\d:\\d\\d  release       v4: hello:v2 pinned to .*");
        assertThat(lines.get(3)).endsWith("rolling       rolling out v4 to 2 instance(s)");
        assertThat(lines.get(4)).endsWith("placed        hello-4-a on node-1, hello-4-b on node-2");
        assertThat(lines.get(5)).endsWith("succeeded     v4 serves 2 instance(s)");
        assertThat(lines.get(6)).isEqualTo("hello v4 is live with 2 instance(s): deploy d-1 succeeded in 12.5 s.");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void aStreamThatFallsSilentIsOpenedAgainWhereItWas() {
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        api.on("GET", DEPLOYS + "/d-1/events", (request, exchange) -> {
            OutputStream out = FakeApi.stream(exchange, "text/event-stream");
            if (opened.incrementAndGet() == 1) {
                // two steps, then a connection that died without a word: no more bytes, never closed
                FakeApi.event(out, 1, SUCCESS.get(0)[1], SUCCESS.get(0)[2]);
                FakeApi.event(out, 2, SUCCESS.get(1)[1], SUCCESS.get(1)[2]);
                sleep(20_000);
                return;
            }
            assertThat(request.header("Last-Event-ID")).isEqualTo("2");
            for (String[] step : SUCCESS.subList(2, SUCCESS.size())) {
                FakeApi.event(out, Long.parseLong(step[0]), step[1], step[2]);
            }
        });
        api.on("GET", DEPLOYS + "/d-1", (request, exchange) -> FakeApi.json(200, "{\"id\":\"d-1\",\"app\":\"hello\","
                + "\"instances\":2,\"release\":\"v4\",\"status\":\"" + (opened.get() < 2 ? "RUNNING" : "SUCCEEDED")
                + "\",\"createdAt\":\"2026-11-30T12:00:00Z\",\"finishedAt\":\"2026-11-30T12:00:12.500Z\"}")
                .handle(request, exchange));

        long started = System.nanoTime();
        Cli.Result result = cli.env("ATOLL_TIMEOUT", "1").run("deploy", "hello:v2", "--app", "hello");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(opened).hasValue(2);
        assertThat(result.out().lines().filter(line -> line.contains("succeeded"))).hasSize(2);
        assertThat(result.out()).contains("rolling out v4", "placed ");
        // reopened after about 2 s of silence (twice ATOLL_TIMEOUT), not after the server's 20 s
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aDeployThatRollsBackExits7WithTheReason() {
        streaming(ROLLBACK, 5);
        finished("ROLLED_BACK", ",\"fromRelease\":\"v4\",\"reason\":\"hello-5-a CRASHLOOP (exit code 3)\"");

        Cli.Result result = cli.run("deploy", "hello:broken", "--app", "hello");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(7);
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(7);
        // The app's escape sequences reach the terminal as U+FFFD, not as colours.
        assertThat(lines.get(3)).endsWith("failed        hello-5-a CRASHLOOP (exit code 3: \uFFFD[31mpanic\uFFFD[0m)");
        assertThat(lines.get(6)).isEqualTo("hello: deploy d-1 ROLLED_BACK in 12.5 s; v4 serves as before.");
        assertThat(result.err()).isEqualTo("atoll: deploy d-1 of hello ended ROLLED_BACK: hello-5-a CRASHLOOP (exit code 3)\n"
                + "hint: atoll logs --app hello shows what the instances wrote\n");
    }

    @Test
    void aStreamThatEndsEarlyIsResumedAfterTheLastStepSeen() {
        AtomicBoolean done = new AtomicBoolean();
        api.on("GET", DEPLOYS + "/d-1/events", (request, exchange) -> {
            // The first stream ends after step 2 (as a proxy's timeout would end it), the next one sends the rest.
            boolean resumed = request.header("Last-Event-ID") != null;
            long after = resumed ? Long.parseLong(request.header("Last-Event-ID")) : 0;
            OutputStream out = FakeApi.stream(exchange, "text/event-stream");
            for (String[] step : SUCCESS) {
                long id = Long.parseLong(step[0]);
                if (id > after && (resumed || id <= 2)) {
                    FakeApi.event(out, id, step[1], step[2]);
                }
            }
            done.set(resumed);
        });
        api.on("GET", DEPLOYS + "/d-1", (request, exchange) -> FakeApi.send(exchange, 200, "application/json",
                "{\"id\":\"d-1\",\"release\":\"v4\",\"instances\":2,\"status\":\"" + (done.get() ? "SUCCEEDED" : "RUNNING")
                        + "\"}"));

        Cli.Result result = cli.run("deploy", "hello:v2", "--app", "hello");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<FakeApi.Request> streams = api.requests("GET", DEPLOYS + "/d-1/events");
        assertThat(streams).hasSize(2);
        assertThat(streams.get(1).header("Last-Event-ID")).isEqualTo("2");
        assertThat(result.out().lines().filter(line -> line.startsWith("  "))).hasSize(5);
        assertThat(result.out()).containsOnlyOnce("release       v4");
    }

    @Test
    void jsonPrintsTheFinishedDeployAlone() {
        streaming(SUCCESS, 5);
        finished("SUCCEEDED", "");

        Cli.Result result = cli.run("deploy", "hello:v2", "--app", "hello", "--json");

        assertThat(result.exitCode()).isZero();
        assertThat(Json.text(Json.parse(result.out()), "status")).isEqualTo("SUCCEEDED");
        assertThat(result.out().strip()).startsWith("{").endsWith("}");
    }

    @Test
    void jsonOfAFailedDeployIsPrintedAndStillExits7() {
        streaming(ROLLBACK, 5);
        finished("FAILED", ",\"reason\":\"no release served before\"");

        Cli.Result result = cli.run("deploy", "hello:broken", "--app", "hello", "--json");

        assertThat(result.exitCode()).isEqualTo(7);
        assertThat(Json.text(Json.parse(result.out()), "status")).isEqualTo("FAILED");
    }

    @Test
    void noWaitStartsTheDeployAndReturns() {
        Cli.Result result = cli.run("deploy", "hello:v2", "--app", "hello", "--no-wait");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("Deploy d-1 of hello:v2 to hello started.\n");
        assertThat(api.requests("GET", DEPLOYS + "/d-1/events")).isEmpty();
    }

    @Test
    void aDeployWhileAnotherRunsExits6NamingIt() {
        api.on("POST", DEPLOYS, (request, exchange) -> FakeApi.send(exchange, 409, "application/problem+json",
                "{\"title\":\"Conflict\",\"status\":409,\"detail\":\"app 'hello' already has deploy d-0 in progress (RUNNING)\",\"deployId\":\"d-0\"}"));

        Cli.Result result = cli.run("deploy", "hello:v2", "--app", "hello");

        assertThat(result.exitCode()).isEqualTo(6);
        assertThat(result.err()).isEqualTo("atoll: app 'hello' already has deploy d-0 in progress (RUNNING)\n"
                + "hint: wait for deploy d-0 to end, then try again\n");
    }
}
