package io.atoll.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code atoll login}, {@code logout}, and where the token goes and does not go. */
class LoginTest extends ApiFixture {

    /** What the login issues: no ATOLL_TOKEN here, the stored login is what is tested. */
    private static final String ISSUED = "atoll_pat_Zk4Y2m9QnVtR7sWc1xLb";
    private static final String OTHER_TOKEN = "atoll_pat_second_Hq3Jd8Lm2Pw";

    @BeforeEach
    void start() {
        cli = new Cli(home);
        issuing("alice", "s3cret pass", ISSUED, "tok-1");
        api.on("GET", "/api/v1/apps", FakeApi.json(200, "[]"));
    }

    /** POST /api/v1/tokens: 201 with a token for the right Basic credentials, 401 problem+json otherwise. */
    private void issuing(String user, String password, String token, String id) {
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        api.on("POST", "/api/v1/tokens", (request, exchange) -> {
            if (!expected.equals(request.header("Authorization"))) {
                FakeApi.send(exchange, 401, "application/problem+json",
                        FakeApi.problemBody(401, "Unauthorized", "bad credentials"));
                return;
            }
            String name = Json.parse(request.body()).get("name").asString();
            FakeApi.send(exchange, 201, "application/json", "{\"id\":\"" + id + "\",\"name\":\"" + name
                    + "\",\"user\":\"" + user + "\",\"token\":\"" + token + "\",\"createdAt\":\"2026-11-30T12:00:00Z\","
                    + "\"expiresAt\":\"2027-02-28T12:00:00Z\"}");
        });
        api.requireToken(token);
    }

    private Cli.Result login(String password) {
        return cli.withInput(password + "\n", "login", api.url(), "--user", "alice", "--password-stdin");
    }

    @Test
    void loginKeepsTheTokenInAPrivateFileAndNeverPrintsIt() throws Exception {
        Cli.Result result = login("s3cret pass");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("Logged in to " + api.url() + " as alice");
        assertThat(result.out() + result.err()).doesNotContain(ISSUED).doesNotContain("s3cret");
        Path file = cli.configFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        JsonNode stored = Json.parse(Files.readString(file));
        assertThat(Json.text(stored, "url")).isEqualTo(api.url());
        assertThat(Json.text(stored, "user")).isEqualTo("alice");
        assertThat(Json.text(stored, "token")).isEqualTo(ISSUED);
        assertThat(Json.text(stored, "tokenId")).isEqualTo("tok-1");
        // Nothing else left in the directory (no temporary file with the token in it).
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
        assertThat(Json.parse(api.requests("POST", "/api/v1/tokens").get(0).body()).get("name").asString())
                .startsWith("cli@");

        // The next command sends the token: the fake answers 401 to anything else.
        Cli.Result apps = cli.run("apps");
        assertThat(apps.exitCode()).as(apps.toString()).isZero();
        assertThat(api.requests("GET", "/api/v1/apps").get(0).header("Authorization")).isEqualTo("Bearer " + ISSUED);
        assertThat(apps.out() + apps.err()).doesNotContain(ISSUED);
    }

    @Test
    void aWrongPasswordExits3AndStoresNothing() {
        Cli.Result result = login("wrong");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
        assertThat(result.err()).isEqualTo("atoll: bad credentials\nhint: check the username and password\n");
        assertThat(result.out()).isEmpty();
        assertThat(cli.configFile()).doesNotExist();
    }

    @Test
    void aConfigDirectoryAndFileOpenToOthersAreMadePrivate() throws Exception {
        Path file = cli.configFile();
        Files.createDirectories(file.getParent());
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(file, "{\"url\":\"" + api.url() + "\"}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(login("s3cret pass").exitCode()).isZero();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    }

    @Test
    void withoutATerminalThePasswordMustComeFromStdin() {
        Cli.Result result = cli.run("login", api.url(), "--user", "alice");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("no terminal to ask the password on").contains("--password-stdin");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void loggingInAgainRevokesTheTokenItReplaces() throws Exception {
        assertThat(login("s3cret pass").exitCode()).isZero();
        api.on("DELETE", "/api/v1/tokens/tok-1", FakeApi.noContent());
        issuing("alice", "s3cret pass", OTHER_TOKEN, "tok-2");
        api.requireToken(ISSUED); // the old token revokes itself

        assertThat(login("s3cret pass").exitCode()).isZero();

        assertThat(api.requests("DELETE", "/api/v1/tokens/tok-1")).singleElement()
                .satisfies(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer " + ISSUED));
        assertThat(Json.text(Json.parse(Files.readString(cli.configFile())), "token")).isEqualTo(OTHER_TOKEN);
    }

    @Test
    void logoutRevokesTheTokenAndRemovesItFromTheFile() throws Exception {
        assertThat(login("s3cret pass").exitCode()).isZero();
        api.on("DELETE", "/api/v1/tokens/tok-1", FakeApi.noContent());

        Cli.Result result = cli.run("logout");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("Logged out of " + api.url());
        assertThat(api.requests("DELETE", "/api/v1/tokens/tok-1")).singleElement()
                .satisfies(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer " + ISSUED));
        String stored = Files.readString(cli.configFile());
        assertThat(stored).doesNotContain(ISSUED).doesNotContain("tok-1").contains(api.url());

        Cli.Result after = cli.run("apps");
        assertThat(after.exitCode()).isEqualTo(3);
        assertThat(after.err()).isEqualTo("atoll: the API token is not valid\nhint: run atoll login\n");
    }

    @Test
    void theStoredTokenGoesOnlyToTheUrlItWasIssuedBy() throws Exception {
        assertThat(login("s3cret pass").exitCode()).isZero();
        try (FakeApi elsewhere = new FakeApi()) {
            elsewhere.on("GET", "/api/v1/apps", FakeApi.json(200, "[]"));

            assertThat(cli.run("apps", "--url", elsewhere.url()).exitCode()).isZero();

            assertThat(elsewhere.requests()).singleElement()
                    .satisfies(r -> assertThat(r.header("Authorization")).isNull());
        }
    }

    @Test
    void ciGivesTheUrlAndTokenInTheEnvironment() {
        cli.env("ATOLL_URL", api.url()).env("ATOLL_TOKEN", ISSUED);

        Cli.Result ok = cli.run("apps");

        assertThat(ok.exitCode()).as(ok.toString()).isZero();
        assertThat(api.requests("GET", "/api/v1/apps").get(0).header("Authorization")).isEqualTo("Bearer " + ISSUED);
        assertThat(cli.configFile()).doesNotExist();

        Cli.Result refused = cli.env("ATOLL_TOKEN", "revoked-one").run("apps");
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.err()).contains("hint: ATOLL_TOKEN is not a valid token");
    }

    @Test
    void loginJsonIsTheApisAnswerWithoutTheToken() {
        Cli.Result result = cli.withInput("s3cret pass\n", "login", api.url(), "--user", "alice", "--password-stdin",
                "--json");

        assertThat(result.exitCode()).isZero();
        JsonNode shown = Json.parse(result.out());
        assertThat(Json.text(shown, "id")).isEqualTo("tok-1");
        assertThat(Json.text(shown, "user")).isEqualTo("alice");
        assertThat(shown.has("token")).isFalse();
        assertThat(result.out() + result.err()).doesNotContain(ISSUED);
    }

    @Test
    void withNoLoginACommandSaysHowToLogIn() {
        Cli.Result result = cli.run("apps");

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).startsWith("atoll: not logged in\nhint: run atoll login");
        assertThat(api.requests()).isEmpty();
    }
}
