package io.atoll.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code atoll config}, {@code config set}, {@code config unset}. */
class ConfigTest extends ApiFixture {

    private static final String CONFIG = "/api/v1/apps/hello/config";

    @BeforeEach
    void start() {
        cli.env("ATOLL_APP", "hello");
    }

    @Test
    void secretValuesAreShownAsTheApiShowsThem() {
        api.on("GET", CONFIG, FakeApi.json(200, """
                {"DB_PASSWORD":{"value":"********","secret":true},"GREETING":{"value":"hi there","secret":false}}"""));

        Cli.Result result = cli.run("config");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("""
                NAME         VALUE     SECRET
                DB_PASSWORD  ********  yes
                GREETING     hi there  no
                """);
    }

    @Test
    void setSendsSecretValuesMarkedSecretAndNeverPrintsThem() {
        api.on("PATCH", CONFIG, FakeApi.json(200, "{\"release\":{\"version\":\"v2\",\"config\":"
                + "{\"DB_PASSWORD\":{\"value\":\"********\",\"secret\":true}}}}"));

        Cli.Result result = cli.run("config", "set", "DB_PASSWORD=p4ss=word", "--secret");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Json.parse(api.requests("PATCH", CONFIG).get(0).body()))
                .isEqualTo(Json.parse("{\"DB_PASSWORD\":{\"value\":\"p4ss=word\",\"secret\":true}}"));
        assertThat(result.out()).isEqualTo("Set DB_PASSWORD: v2. Nothing runs yet; the next deploy takes it.\n");
        assertThat(result.out() + result.err()).doesNotContain("p4ss");
    }

    @Test
    void aChangeToARunningAppIsFollowedLikeADeploy() {
        api.on("PATCH", CONFIG, FakeApi.json(202, "{\"release\":{\"version\":\"v5\"},\"deploy\":{\"id\":\"d-7\"}}"));
        api.on("GET", "/api/v1/apps/hello/deploys/d-7/events", (request, exchange) -> {
            OutputStream out = FakeApi.stream(exchange, "text/event-stream");
            FakeApi.event(out, 1, "rolling", "{\"id\":1,\"at\":\"2026-11-30T12:00:01Z\",\"kind\":\"rolling\","
                    + "\"message\":\"rolling out v5 to 2 instance(s)\"}");
            FakeApi.event(out, 2, "succeeded", "{\"id\":2,\"at\":\"2026-11-30T12:00:04Z\",\"kind\":\"succeeded\","
                    + "\"message\":\"v5 serves 2 instance(s)\"}");
        });
        api.on("GET", "/api/v1/apps/hello/deploys/d-7", FakeApi.json(200,
                "{\"id\":\"d-7\",\"status\":\"SUCCEEDED\",\"release\":\"v5\",\"instances\":2}"));

        Cli.Result result = cli.run("config", "set", "GREETING=hello", "COLOR=blue");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Json.parse(api.requests("PATCH", CONFIG).get(0).body()))
                .isEqualTo(Json.parse("{\"GREETING\":\"hello\",\"COLOR\":\"blue\"}"));
        assertThat(result.out().lines().toList()).hasSize(4).first().isEqualTo("Set GREETING, COLOR: v5 (deploy d-7)");
        assertThat(result.out()).endsWith("hello v5 is live with 2 instance(s): deploy d-7 succeeded.\n");
    }

    @Test
    void unsetSendsNullForEachName() {
        api.on("PATCH", CONFIG, FakeApi.json(200, "{\"release\":{\"version\":\"v3\"}}"));

        Cli.Result result = cli.run("config", "unset", "GREETING", "COLOR", "--json");

        assertThat(result.exitCode()).isZero();
        assertThat(Json.parse(api.requests("PATCH", CONFIG).get(0).body()))
                .isEqualTo(Json.parse("{\"GREETING\":null,\"COLOR\":null}"));
        assertThat(Json.parse(result.out())).isEqualTo(Json.parse("{\"release\":{\"version\":\"v3\"}}"));
    }

    @Test
    void anAssignmentWithoutEqualsIsAUsageError() {
        Cli.Result result = cli.run("config", "set", "GREETING");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("atoll: not NAME=VALUE: GREETING");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void invalidNamesAreTheApisToRefuse() {
        api.on("PATCH", CONFIG, FakeApi.problem(400, "Invalid request", "'PORT': set by Atoll itself"));

        Cli.Result result = cli.run("config", "set", "PORT=1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("atoll: 'PORT': set by Atoll itself\n");
    }
}
