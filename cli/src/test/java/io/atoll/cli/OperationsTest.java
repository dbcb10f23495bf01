package io.atoll.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code releases}, {@code rollback}, {@code scale}, {@code nodes}, {@code maintenance} and {@code tokens}. */
class OperationsTest extends ApiFixture {

    private static final String RELEASES = """
            [{"version":"v4","number":4,"id":"hello-r4","image":"hello:v3","pinnedImage":"reg/hello@sha256:4",\
            "cause":"deploy","causeDetail":null,"author":"alice","createdAt":"2026-11-30T12:04:00.123456Z","serving":true},\
            {"version":"v3","number":3,"id":"hello-r3","image":"hello:v2","pinnedImage":"reg/hello@sha256:3",\
            "cause":"config","causeDetail":"set GREETING","author":"bob","createdAt":"2026-11-30T12:03:00Z","serving":false},\
            {"version":"v2","number":2,"id":"hello-r2","image":"hello:v2","pinnedImage":"reg/hello@sha256:3",\
            "cause":"deploy","causeDetail":null,"author":"alice","createdAt":"2026-11-30T12:02:00Z","serving":false},\
            {"version":"v1","number":1,"id":"hello-r1","image":null,"pinnedImage":"",\
            "cause":"config","causeDetail":"set GREETING","author":"alice","createdAt":"2026-11-30T12:01:00Z","serving":false}]""";

    @BeforeEach
    void start() {
        api.on("GET", "/api/v1/apps/hello/releases", FakeApi.json(200, RELEASES));
    }

    @Test
    void releasesAreATableMarkingTheOneServing() {
        Cli.Result result = cli.run("releases", "--app", "hello");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("""
                VERSION  SERVING  CAUSE   DETAIL        IMAGE     AUTHOR  CREATED
                v4       *        deploy  -             hello:v3  alice   2026-11-30T12:04:00Z
                v3       -        config  set GREETING  hello:v2  bob     2026-11-30T12:03:00Z
                v2       -        deploy  -             hello:v2  alice   2026-11-30T12:02:00Z
                v1       -        config  set GREETING  -         alice   2026-11-30T12:01:00Z
                """);
    }

    @Test
    void rollbackWithoutAReleaseGoesToTheOneBeforeTheServingOneAndFollowsIt() {
        api.on("POST", "/api/v1/apps/hello/rollback", FakeApi.json(202,
                "{\"release\":{\"version\":\"v5\"},\"deploy\":{\"id\":\"d-9\",\"status\":\"PENDING\"}}"));
        api.on("GET", "/api/v1/apps/hello/deploys/d-9/events", (request, exchange) -> {
            OutputStream out = FakeApi.stream(exchange, "text/event-stream");
            FakeApi.event(out, 1, "succeeded", "{\"id\":1,\"at\":\"2026-11-30T12:05:00Z\",\"kind\":\"succeeded\","
                    + "\"message\":\"v5 serves 2 instance(s)\"}");
        });
        api.on("GET", "/api/v1/apps/hello/deploys/d-9", FakeApi.json(200,
                "{\"id\":\"d-9\",\"status\":\"SUCCEEDED\",\"release\":\"v5\",\"instances\":2}"));

        Cli.Result result = cli.run("rollback", "--app", "hello");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Json.parse(api.requests("POST", "/api/v1/apps/hello/rollback").get(0).body()))
                .isEqualTo(Json.parse("{\"release\":\"v3\"}"));
        assertThat(result.out().lines().toList()).hasSize(3).first()
                .isEqualTo("Rolling hello back to v3 as v5 (deploy d-9)");
        assertThat(result.out()).endsWith("hello v5 is live with 2 instance(s): deploy d-9 succeeded.\n");
    }

    @Test
    void rollbackToAReleaseThatDoesNotExistExits5() {
        api.on("POST", "/api/v1/apps/hello/rollback", FakeApi.problem(404, "Release not found", "no release named 'v9'"));

        Cli.Result result = cli.run("rollback", "--app", "hello", "v9");

        assertThat(result.exitCode()).isEqualTo(5);
        assertThat(result.err()).isEqualTo("atoll: no release named 'v9'\n");
    }

    @Test
    void scaleAsksForTheCount() {
        api.on("POST", "/api/v1/apps/hello/scale", FakeApi.json(202, "{\"release\":\"v6\",\"instances\":3}"));

        Cli.Result result = cli.run("scale", "--app", "hello", "3");

        assertThat(result.exitCode()).isZero();
        assertThat(Json.parse(api.requests("POST", "/api/v1/apps/hello/scale").get(0).body()))
                .isEqualTo(Json.parse("{\"instances\":3}"));
        assertThat(result.out()).isEqualTo("Scaling hello to 3 instance(s) as v6.\n");
    }

    @Test
    void scaleBeyondTheClusterIsAConflict() {
        api.on("POST", "/api/v1/apps/hello/scale", FakeApi.problem(409, "Conflict",
                "not enough capacity: 2 instance(s) of 512 MB do not fit"));

        Cli.Result result = cli.run("scale", "--app", "hello", "40");

        assertThat(result.exitCode()).isEqualTo(6);
        assertThat(result.err()).isEqualTo("atoll: not enough capacity: 2 instance(s) of 512 MB do not fit\n");
    }

    @Test
    void nodesAreATable() {
        api.on("GET", "/api/v1/nodes", FakeApi.json(200, """
                [{"node":{"nodeId":"node-1","advertisedHost":"10.0.0.5","zone":"zone-a","region":null,\
                "capacity":{"memoryMb":8192,"cpuShares":4096,"containers":50},\
                "usage":{"memoryMb":1024,"cpuShares":512,"containers":4},"maintenance":false,"agentVersion":"0.1.0"},\
                "maintenance":false},\
                {"node":{"nodeId":"node-2","advertisedHost":"10.0.0.6","zone":"zone-b","region":null,\
                "capacity":{"memoryMb":16384,"cpuShares":8192,"containers":100},\
                "usage":{"memoryMb":0,"cpuShares":0,"containers":0},"maintenance":false,"agentVersion":"0.1.0"},\
                "maintenance":true}]"""));

        Cli.Result result = cli.run("nodes");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("""
                NODE    ZONE    HOST      MEMORY MB  CONTAINERS  MAINTENANCE  AGENT
                node-1  zone-a  10.0.0.5  1024/8192  4/50        off          0.1.0
                node-2  zone-b  10.0.0.6  0/16384    0/100       on           0.1.0
                """);
    }

    @Test
    void maintenanceOnAndOff() {
        api.on("PUT", "/api/v1/nodes/node-2/maintenance", FakeApi.json(200, "{\"node\":null,\"maintenance\":true}"));

        Cli.Result on = cli.run("maintenance", "node-2", "on");
        Cli.Result off = cli.run("maintenance", "node-2", "OFF");

        assertThat(on.exitCode()).isZero();
        assertThat(on.out()).startsWith("Node node-2 is in maintenance");
        assertThat(off.exitCode()).isZero();
        assertThat(off.out()).isEqualTo("Node node-2 is back in service.\n");
        assertThat(api.requests("PUT", "/api/v1/nodes/node-2/maintenance")).extracting(r -> Json.parse(r.body()))
                .containsExactly(Json.parse("{\"enabled\":true}"), Json.parse("{\"enabled\":false}"));
    }

    @Test
    void maintenanceNeedsAnAdmin() {
        api.on("PUT", "/api/v1/nodes/node-2/maintenance", FakeApi.problem(403, "Forbidden", "not allowed"));

        Cli.Result result = cli.run("maintenance", "node-2", "on");

        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.err()).isEqualTo("atoll: not allowed\nhint: this needs an Atoll admin\n");
    }

    /** A login as LoginTest makes one, stored for this URL. */
    private void loggedIn(String tokenId) {
        new ConfigFile(cli.configFile()).save(new ConfigFile.Stored(api.url(), "alice", TOKEN, tokenId));
        cli = new Cli(home);
    }

    @Test
    void tokensAreListedWithoutValuesMarkingThisLogin() {
        loggedIn("tok-2");
        api.on("GET", "/api/v1/tokens", FakeApi.json(200, """
                [{"id":"tok-1","name":"ci-deploys","user":"alice","createdAt":"2026-11-01T09:00:00Z",\
                "expiresAt":"2027-01-30T09:00:00Z","lastUsedAt":null},\
                {"id":"tok-2","name":"cli@laptop","user":"alice","createdAt":"2026-11-30T12:00:00Z",\
                "expiresAt":"2027-02-28T12:00:00Z","lastUsedAt":"2026-11-30T12:10:00Z"}]"""));

        Cli.Result result = cli.run("tokens");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("""
                ID     NAME                     CREATED               EXPIRES               LAST USED
                tok-1  ci-deploys               2026-11-01T09:00:00Z  2027-01-30T09:00:00Z  -
                tok-2  cli@laptop (this login)  2026-11-30T12:00:00Z  2027-02-28T12:00:00Z  2026-11-30T12:10:00Z
                """);
    }

    @Test
    void revokingThisLoginsTokenLogsOut() throws Exception {
        loggedIn("tok-2");
        api.on("DELETE", "/api/v1/tokens/tok-2", FakeApi.noContent());

        Cli.Result result = cli.run("tokens", "revoke", "tok-2");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("Revoked token tok-2, this login's: you are logged out.\n");
        assertThat(Files.readString(cli.configFile())).doesNotContain(TOKEN);
    }

    @Test
    void aTokenForCiIsPrintedOnceAndNotStored() throws Exception {
        loggedIn("tok-2");
        api.on("POST", "/api/v1/tokens", FakeApi.json(201, "{\"id\":\"tok-3\",\"name\":\"ci\",\"user\":\"alice\","
                + "\"token\":\"atoll_pat_for_ci_0000\",\"createdAt\":\"2026-11-30T12:00:00Z\",\"expiresAt\":\"2027-02-28T12:00:00Z\"}"));

        Cli.Result result = cli.withInput("pw\n", "tokens", "create", "ci", "--password-stdin", "--days", "90");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("atoll_pat_for_ci_0000\n");
        assertThat(result.err()).contains("tok-3").contains("shown this once").doesNotContain("atoll_pat_for_ci_0000");
        // As the user logged in here, whose password it asked for.
        assertThat(api.requests("POST", "/api/v1/tokens").get(0).header("Authorization"))
                .isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString("alice:pw".getBytes()));
        assertThat(Json.parse(api.requests("POST", "/api/v1/tokens").get(0).body()))
                .isEqualTo(Json.parse("{\"name\":\"ci\",\"expiresInDays\":90}"));
        assertThat(Files.readString(cli.configFile())).doesNotContain("atoll_pat_for_ci_0000");
    }
}
