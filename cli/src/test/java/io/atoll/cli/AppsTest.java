package io.atoll.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code atoll apps}, and how every command reports the API's refusals and a missing API. */
class AppsTest extends ApiFixture {

    private static final String APPS = """
            [{"name":"hello","hosts":[],"containerPort":8080,"healthPath":"/healthz","createdAt":"2026-11-30T12:00:00Z",\
            "release":{"id":"hello-r3","number":3,"version":"v3","image":"hello:demo","pinnedImage":"127.0.0.1:5000/hello@sha256:ab"},\
            "instances":2,"deleting":false,"dependencies":[],"stopGraceSeconds":null},\
            {"name":"shop-frontend","hosts":[],"containerPort":8080,"healthPath":"/healthz","createdAt":"2026-11-30T12:01:00Z",\
            "release":null,"instances":0,"deleting":true,"dependencies":[],"stopGraceSeconds":null}]""";

    @Test
    void appsAreATableWithAlignedColumns() {
        api.on("GET", "/api/v1/apps", FakeApi.json(200, APPS));

        Cli.Result result = cli.run("apps");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("""
                NAME                      RELEASE  INSTANCES  IMAGE
                hello                     v3       2          hello:demo
                shop-frontend (deleting)  -        0          -
                """);
        assertThat(result.err()).isEmpty();
    }

    @Test
    void appsOfTeamsShowTheirTeam() {
        api.on("GET", "/api/v1/apps", FakeApi.json(200, """
                [{"name":"hello","team":"web","release":null,"instances":0,"deleting":false}]"""));

        assertThat(cli.run("apps").out()).isEqualTo("""
                NAME   TEAM  RELEASE  INSTANCES  IMAGE
                hello  web   -        0          -
                """);
    }

    @Test
    void jsonIsTheApisAnswerAndNothingElse() {
        api.on("GET", "/api/v1/apps", FakeApi.json(200, APPS));

        Cli.Result result = cli.run("apps", "--json");

        assertThat(result.exitCode()).isZero();
        assertThat(Json.parse(result.out())).isEqualTo(Json.parse(APPS));
        assertThat(result.out().strip()).isEqualTo(APPS);
    }

    @Test
    void createSendsTheTeamAndHealthPath() {
        api.on("POST", "/api/v1/apps", FakeApi.json(201, "{\"name\":\"hello\"}"));

        Cli.Result result = cli.run("apps", "create", "hello", "--team", "web", "--health-path", "/ready", "--port", "9000");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("Created app hello. Deploy to it: atoll deploy IMAGE --app hello\n");
        assertThat(Json.parse(api.requests("POST", "/api/v1/apps").get(0).body())).isEqualTo(Json.parse(
                "{\"name\":\"hello\",\"team\":\"web\",\"healthPath\":\"/ready\",\"containerPort\":9000}"));
    }

    @Test
    void aConflictExits6WithTheApisDetail() {
        api.on("POST", "/api/v1/apps", FakeApi.problem(409, "Conflict", "app 'hello' exists already"));

        Cli.Result result = cli.run("apps", "create", "hello");

        assertThat(result.exitCode()).isEqualTo(6);
        assertThat(result.err()).isEqualTo("atoll: app 'hello' exists already\n");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void deleteWantsTheNameTypedAgain() {
        api.on("DELETE", "/api/v1/apps/hello", FakeApi.json(202, "{\"name\":\"hello\",\"deleting\":true}"));

        Cli.Result unconfirmed = cli.run("apps", "delete", "hello");
        assertThat(unconfirmed.exitCode()).isEqualTo(2);
        assertThat(unconfirmed.err()).contains("--confirm hello");

        Cli.Result wrong = cli.run("apps", "delete", "hello", "--confirm", "hallo");
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.err()).contains("not deleted");
        assertThat(api.requests("DELETE", "/api/v1/apps/hello")).isEmpty();

        Cli.Result deleted = cli.run("apps", "delete", "hello", "--confirm", "hello");
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(deleted.out()).startsWith("Deleting hello:");
        assertThat(api.requests("DELETE", "/api/v1/apps/hello")).hasSize(1);
    }

    @Test
    void eachRefusalHasItsExitCodeAndHint() {
        api.on("GET", "/api/v1/apps/hello/releases", FakeApi.problem(403, "Forbidden", "not allowed"));
        api.on("GET", "/api/v1/apps/gone/releases", FakeApi.problem(404, "App not found", "no app named 'gone'"));
        api.on("GET", "/api/v1/apps/broken/releases", FakeApi.problem(500, "Internal Server Error", "boom"));
        api.on("GET", "/api/v1/apps/proxied/releases", (request, exchange) ->
                FakeApi.send(exchange, 502, "text/html", "<html><body>Bad Gateway</body></html>"));

        Cli.Result forbidden = cli.run("releases", "--app", "hello");
        assertThat(forbidden.exitCode()).isEqualTo(4);
        assertThat(forbidden.err()).isEqualTo("atoll: not allowed\nhint: you are not in the app's team\n");

        Cli.Result missing = cli.run("releases", "--app", "gone");
        assertThat(missing.exitCode()).isEqualTo(5);
        assertThat(missing.err()).isEqualTo("atoll: no app named 'gone'\n");

        Cli.Result failed = cli.run("releases", "--app", "broken");
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).isEqualTo("atoll: the API failed (HTTP 500): boom\n");

        Cli.Result proxied = cli.run("releases", "--app", "proxied");
        assertThat(proxied.exitCode()).isEqualTo(1);
        assertThat(proxied.err()).isEqualTo("atoll: the API failed (HTTP 502)\n");

        Cli.Result unauthorized = cli.env("ATOLL_TOKEN", "not-it").run("releases", "--app", "hello");
        assertThat(unauthorized.exitCode()).isEqualTo(3);
        assertThat(unauthorized.err()).startsWith("atoll: the API token is not valid\n");
    }

    @Test
    void anApiThatCannotBeReachedExits8WithoutAStackTrace() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }

        Cli.Result refused = cli.env("ATOLL_URL", "http://127.0.0.1:" + closed).run("apps");

        assertThat(refused.exitCode()).isEqualTo(8);
        assertThat(refused.err()).isEqualTo("atoll: cannot connect to http://127.0.0.1:" + closed
                + ": connection refused\nhint: is the platform running? (script/server starts one)\n");
    }

    @Test
    void anApiThatDoesNotAnswerExits8AfterTheTimeout() {
        api.on("GET", "/api/v1/apps", (request, exchange) -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        long started = System.nanoTime();
        Cli.Result result = cli.env("ATOLL_TIMEOUT", "1").run("apps");

        assertThat(result.exitCode()).isEqualTo(8);
        assertThat(result.err()).startsWith("atoll: no answer from " + api.url() + " within 1 s\n");
        assertThat(result.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2_900);
    }

    @Test
    void theAppComesFromAtollAppWhenLeftOut() {
        api.on("GET", "/api/v1/apps/hello/releases", FakeApi.json(200, "[]"));

        Cli.Result without = cli.run("releases");
        assertThat(without.exitCode()).isEqualTo(2);
        assertThat(without.err()).startsWith("atoll: which app? give --app APP or set ATOLL_APP");

        Cli.Result fromEnv = cli.env("ATOLL_APP", "hello").run("releases");
        assertThat(fromEnv.exitCode()).as(fromEnv.toString()).isZero();
        assertThat(api.requests("GET", "/api/v1/apps/hello/releases")).hasSize(1);
    }

    @Test
    void aMistypedCommandIsAUsageErrorWithASuggestion() {
        Cli.Result result = cli.run("depoy", "hello:v2");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("Did you mean: atoll deploy");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void theHelpListsTheExitCodes() {
        Cli.Result result = cli.run("deploy", "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Exit codes:").contains("3   not logged in").contains("7   the deploy ended")
                .contains("8   cannot connect");
    }
}
