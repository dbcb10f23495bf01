package io.atoll.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code atoll logs}: the API's NDJSON lines as text, or as they came with {@code --json}. */
class LogsTest extends ApiFixture {

    private static final String LOGS = "/api/v1/apps/hello/logs";

    private static String line(String instance, String stream, String time, String text) {
        return "{\"app\":\"hello\",\"instance\":\"" + instance + "\",\"node\":\"node-1\",\"stream\":\"" + stream
                + "\",\"time\":\"" + time + "\",\"line\":\"" + text + "\"}\n";
    }

    private static void write(OutputStream out, String text) throws java.io.IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Test
    void linesArePrintedAsTextWithControlCharactersMadeHarmless() {
        api.on("GET", LOGS, (request, exchange) -> {
            OutputStream out = FakeApi.stream(exchange, "application/x-ndjson");
            write(out, line("hello-3-a", "stdout", "2026-11-30T12:00:01Z", "GET / 200"));
            write(out, "\n"); // the API's keep-alive
            write(out, line("hello-3-b", "stderr", "2026-11-30T12:00:02Z", "\\u001b[2Jcleared"));
        });

        Cli.Result result = cli.run("logs", "--app", "hello", "--tail", "5", "--since", "10m");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("""
                2026-11-30T12:00:01Z hello-3-a stdout GET / 200
                2026-11-30T12:00:02Z hello-3-b stderr \uFFFD[2Jcleared
                """);
        FakeApi.Request request = api.requests("GET", LOGS).get(0);
        assertThat(request.query()).isEqualTo("follow=false&tail=5&since=10m");
        assertThat(request.header("Accept")).isEqualTo("application/x-ndjson");
    }

    @Test
    void jsonPassesTheLinesAsTheyCame() {
        String first = line("hello-3-a", "stdout", "2026-11-30T12:00:01Z", "one");
        String second = line("hello-3-a", "stdout", "2026-11-30T12:00:02Z", "two");
        api.on("GET", LOGS, (request, exchange) -> {
            OutputStream out = FakeApi.stream(exchange, "application/x-ndjson");
            write(out, first + second);
        });

        Cli.Result result = cli.run("logs", "--app", "hello", "--json");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(first + second);
    }

    @Test
    void aFollowedStreamThatEndsIsOpenedAgainFromTheLastLine() {
        AtomicInteger opened = new AtomicInteger();
        api.on("GET", LOGS, (request, exchange) -> {
            int n = opened.incrementAndGet();
            if (n == 3) {
                // The app was deleted meanwhile: following ends there.
                FakeApi.send(exchange, 404, "application/problem+json",
                        FakeApi.problemBody(404, "App not found", "no app named 'hello'"));
                return;
            }
            OutputStream out = FakeApi.stream(exchange, "application/x-ndjson");
            if (n == 1) {
                write(out, line("hello-3-a", "stdout", "2026-11-30T12:00:01Z", "one"));
                write(out, line("hello-3-a", "stdout", "2026-11-30T12:00:02Z", "two"));
            } else {
                // From `since` on: the line of that instant again, then a new one.
                write(out, line("hello-3-a", "stdout", "2026-11-30T12:00:02Z", "two"));
                write(out, line("hello-3-a", "stdout", "2026-11-30T12:00:03Z", "three"));
            }
        });

        Cli.Result result = cli.run("logs", "--app", "hello", "-f", "--tail", "10");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(5);
        assertThat(result.out().lines().toList()).containsExactly(
                "2026-11-30T12:00:01Z hello-3-a stdout one",
                "2026-11-30T12:00:02Z hello-3-a stdout two",
                "2026-11-30T12:00:03Z hello-3-a stdout three");
        List<FakeApi.Request> requests = api.requests("GET", LOGS);
        assertThat(requests.get(0).query()).isEqualTo("follow=true&tail=10");
        assertThat(requests.get(1).query()).isEqualTo("follow=true&since=2026-11-30T12%3A00%3A02Z");
        assertThat(result.err()).isEqualTo("atoll: no app named 'hello'\n");
    }

    @Test
    void anUnknownInstanceIsNotFound() {
        api.on("GET", LOGS, FakeApi.problem(404, "Instance not found", "no instance named 'hello-9-z'"));

        Cli.Result result = cli.run("logs", "--app", "hello", "--instance", "hello-9-z");

        assertThat(result.exitCode()).isEqualTo(5);
        assertThat(api.requests("GET", LOGS).get(0).query()).isEqualTo("follow=false&instance=hello-9-z");
    }
}
