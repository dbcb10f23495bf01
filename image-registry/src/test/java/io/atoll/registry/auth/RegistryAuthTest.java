package io.atoll.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atoll.registry.DockerCli;
import io.atoll.registry.ImageRegistryApplication;
import io.atoll.registry.RawHttp;
import io.atoll.registry.RegistryClient;
import io.atoll.registry.TestFiles;
import io.atoll.registry.oci.Digest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Without the dev profile the registry demands HTTP Basic and grants pull/push per repository
 * prefix: alice pushes to team/…, bob only pulls from team/…, anyone pulls from public/….
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class RegistryAuthTest {

    private static final Path ROOT = TestFiles.freshStorageRoot("registry-auth-test");
    private static final String ALICE_PASSWORD = "alice-" + UUID.randomUUID();
    private static final String BOB_PASSWORD = "bob-" + UUID.randomUUID();
    private static final String OPS_PASSWORD = "ops-" + UUID.randomUUID();
    private static final String CAROL_PASSWORD = "carol-" + UUID.randomUUID();
    private static final String CHALLENGE = "Basic realm=\"atoll-registry\", charset=\"UTF-8\"";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        // Cost 4 keeps the test fast; production hashes come from htpasswd -B (cost 5+) or bcrypt tools.
        BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);
        registry.add("atoll.registry.storage.root", ROOT::toString);
        registry.add("atoll.registry.auth.users.alice.password-hash", () -> bcrypt.encode(ALICE_PASSWORD));
        registry.add("atoll.registry.auth.users.alice.push[0]", () -> "team");
        registry.add("atoll.registry.auth.users.bob.password-hash", () -> bcrypt.encode(BOB_PASSWORD));
        registry.add("atoll.registry.auth.users.bob.pull[0]", () -> "team/");
        registry.add("atoll.registry.auth.anonymous.pull[0]", () -> "public");
        registry.add("atoll.registry.auth.users.ops.password-hash", () -> bcrypt.encode(OPS_PASSWORD));
        registry.add("atoll.registry.auth.users.ops.admin", () -> "true");
        // Another tenant: pushes (and so pulls) rival/…, and may pull public/… like everyone.
        registry.add("atoll.registry.auth.users.carol.password-hash", () -> bcrypt.encode(CAROL_PASSWORD));
        registry.add("atoll.registry.auth.users.carol.push[0]", () -> "rival");
    }

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    @Test
    void pingChallengesAnonymousClientsAndAcceptsValidCredentials() {
        RegistryClient registry = new RegistryClient(port);
        HttpResponse<byte[]> anonymous = registry.get("/v2/");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue(CHALLENGE);
        assertThat(anonymous.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
        assertThat(errorCode(anonymous)).isEqualTo("UNAUTHORIZED");

        HttpResponse<byte[]> wrong = registry.get("/v2/", "Authorization", basic("alice", "not-the-password"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue(CHALLENGE);
        assertThat(registry.get("/v2/", "Authorization", basic("mallory", ALICE_PASSWORD)).statusCode()).isEqualTo(401);
        assertThat(registry.get("/v2/", "Authorization", "Basic !!!").statusCode()).isEqualTo(401);
        assertThat(registry.get("/v2/", "Authorization", "Bearer abc").statusCode()).isEqualTo(401);

        assertThat(registry.get("/v2/", "Authorization", basic("alice", ALICE_PASSWORD)).statusCode()).isEqualTo(200);
        // Twice: the second check is answered from the verified-password cache.
        assertThat(registry.get("/v2/", "Authorization", basic("bob", BOB_PASSWORD)).statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/", "Authorization", basic("bob", BOB_PASSWORD)).statusCode()).isEqualTo(200);
        assertThat(registry.get("/v2/", "Authorization", basic("bob", ALICE_PASSWORD)).statusCode()).isEqualTo(401);
    }

    @Test
    void pushAndPullArePermittedPerRepositoryPrefix() {
        RegistryClient registry = new RegistryClient(port);
        String alice = basic("alice", ALICE_PASSWORD);
        String bob = basic("bob", BOB_PASSWORD);

        HttpResponse<byte[]> anonymousPush = registry.post("/v2/team/app/blobs/uploads/", null);
        assertThat(anonymousPush.statusCode()).isEqualTo(401);
        assertThat(errorCode(anonymousPush)).isEqualTo("UNAUTHORIZED");
        assertThat(anonymousPush.headers().firstValue("WWW-Authenticate")).hasValue(CHALLENGE);

        HttpResponse<byte[]> bobPush = registry.post("/v2/team/app/blobs/uploads/", null, "Authorization", bob);
        assertThat(bobPush.statusCode()).isEqualTo(403);
        assertThat(errorCode(bobPush)).isEqualTo("DENIED");
        assertThat(bobPush.headers().firstValue("WWW-Authenticate")).isEmpty();

        assertThat(registry.post("/v2/team/app/blobs/uploads/", null, "Authorization", alice).statusCode()).isEqualTo(202);
        assertThat(registry.post("/v2/team/blobs/uploads/", null, "Authorization", alice).statusCode()).isEqualTo(202);
        // Prefixes match whole path components.
        assertThat(errorCode(registry.post("/v2/teamx/app/blobs/uploads/", null, "Authorization", alice))).isEqualTo("DENIED");
        assertThat(errorCode(registry.post("/v2/public/app/blobs/uploads/", null, "Authorization", alice))).isEqualTo("DENIED");

        // Pull rights: a permitted read reaches the repository (which is empty here: NAME_UNKNOWN).
        assertThat(errorCode(registry.get("/v2/team/app/manifests/1", "Authorization", bob))).isEqualTo("NAME_UNKNOWN");
        assertThat(errorCode(registry.get("/v2/team/app/manifests/1", "Authorization", alice))).isEqualTo("NAME_UNKNOWN");
        assertThat(errorCode(registry.get("/v2/other/app/manifests/1", "Authorization", bob))).isEqualTo("DENIED");
        assertThat(errorCode(registry.get("/v2/public/app/manifests/1"))).isEqualTo("NAME_UNKNOWN");
        assertThat(errorCode(registry.get("/v2/public/app/manifests/1", "Authorization", bob))).isEqualTo("NAME_UNKNOWN");
        HttpResponse<byte[]> anonymousPull = registry.get("/v2/team/app/manifests/1");
        assertThat(anonymousPull.statusCode()).isEqualTo(401);
        assertThat(errorCode(anonymousPull)).isEqualTo("UNAUTHORIZED");
        // HEAD gets the status and the challenge without a body.
        assertThat(registry.head("/v2/team/app/manifests/1").statusCode()).isEqualTo(401);
    }

    /**
     * Issue 9's acceptance: a user with pull rights on her own repositories gets 404 BLOB_UNKNOWN
     * for a blob only another tenant's repository holds, by GET, HEAD and mount, and cannot make
     * it hers through a manifest either. What she sees does not depend on whether the blob exists.
     */
    @Test
    void aBlobOnlyAnotherTenantHoldsIsUnknownByGetHeadAndMount() {
        RegistryClient registry = new RegistryClient(port);
        String alice = basic("alice", ALICE_PASSWORD);
        String carol = basic("carol", CAROL_PASSWORD);
        byte[] secretBytes = TestFiles.randomBytes(4096);
        Digest secret = Digest.of(secretBytes);
        Digest absent = Digest.of(TestFiles.randomBytes(64));
        assertThat(registry.post("/v2/team/secret/blobs/uploads/?digest=" + secret, secretBytes,
                "Content-Type", "application/octet-stream", "Authorization", alice).statusCode()).isEqualTo(201);

        for (Digest digest : List.of(secret, absent)) {
            HttpResponse<byte[]> get = registry.get("/v2/rival/app/blobs/" + digest, "Authorization", carol);
            assertThat(get.statusCode()).as("GET %s", digest).isEqualTo(404);
            assertThat(errorCode(get)).isEqualTo("BLOB_UNKNOWN");
            assertThat(registry.head("/v2/rival/app/blobs/" + digest, "Authorization", carol).statusCode()).isEqualTo(404);
            assertThat(registry.get("/v2/rival/app/blobs/" + digest, "Authorization", carol, "Range", "bytes=0-9").statusCode())
                    .isEqualTo(404);
            // From a repository she may not pull, from one she may pull that lacks the blob, and with no source at all.
            for (String from : List.of("&from=team/secret", "&from=public/mirror", "&from=rival/app", "")) {
                HttpResponse<byte[]> mount = registry.post("/v2/rival/app/blobs/uploads/?mount=" + digest + from, null,
                        "Authorization", carol);
                assertThat(mount.statusCode()).as("mount %s%s", digest, from).isEqualTo(202);
                assertThat(mount.headers().firstValue("Docker-Content-Digest")).isEmpty();
                assertThat(registry.location(mount)).startsWith("/v2/rival/app/blobs/uploads/");
            }
            HttpResponse<byte[]> delete = registry.send("DELETE", "/v2/rival/app/blobs/" + digest, null, "Authorization", carol);
            assertThat(errorCode(delete)).isEqualTo("BLOB_UNKNOWN");
        }
        assertThat(errorCode(registry.get("/v2/team/secret/blobs/" + secret, "Authorization", carol))).isEqualTo("DENIED");

        // A manifest naming the blob does not hand it over either.
        byte[] configBytes = "{}".getBytes(StandardCharsets.UTF_8);
        Digest config = Digest.of(configBytes);
        assertThat(registry.post("/v2/rival/app/blobs/uploads/?digest=" + config, configBytes,
                "Content-Type", "application/octet-stream", "Authorization", carol).statusCode()).isEqualTo(201);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"" + config + "\"},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"size\":4096,\"digest\":\"" + secret + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> put = registry.put("/v2/rival/app/manifests/stolen", manifest,
                "Content-Type", "application/vnd.oci.image.manifest.v1+json", "Authorization", carol);
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(errorCode(put)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertThat(registry.get("/v2/rival/app/blobs/" + secret, "Authorization", carol).statusCode()).isEqualTo(404);

        // The owner still has it, and mounts it where her team's readers can pull it.
        assertThat(registry.get("/v2/team/secret/blobs/" + secret, "Authorization", alice).body()).isEqualTo(secretBytes);
        HttpResponse<byte[]> mounted = registry.post("/v2/team/app/blobs/uploads/?mount=" + secret + "&from=team/secret", null,
                "Authorization", alice);
        assertThat(mounted.statusCode()).isEqualTo(201);
        assertThat(mounted.headers().firstValue("Docker-Content-Digest")).hasValue(secret.toString());
        assertThat(registry.get("/v2/team/app/blobs/" + secret, "Authorization", basic("bob", BOB_PASSWORD)).body())
                .isEqualTo(secretBytes);

        // Whoever has the bytes may upload them: stored once, now held by her repository too.
        assertThat(registry.post("/v2/rival/app/blobs/uploads/?digest=" + secret, secretBytes,
                "Content-Type", "application/octet-stream", "Authorization", carol).statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/rival/app/blobs/" + secret, "Authorization", carol).body()).isEqualTo(secretBytes);
        assertThat(registry.put("/v2/rival/app/manifests/own", manifest, "Content-Type", "application/vnd.oci.image.manifest.v1+json",
                "Authorization", carol).statusCode()).isEqualTo(201);
    }

    /** Hostile credentials, as raw bytes: always the 401 challenge in the spec's format, never a 5xx. */
    @Test
    void hostileCredentialsAreA401InTheSpecFormat() throws IOException {
        String longPassword = "alice:" + "p".repeat(200);
        List<String> hostile = List.of("Basic", "Basic ", "Basic  ", "Basic !!!", "Basic " + b64("no-colon"), "Basic " + b64(":"),
                "Basic " + b64("alice:"), "Basic " + b64(":" + ALICE_PASSWORD), "Basic " + b64(longPassword),
                "Basic " + b64("alice:" + ALICE_PASSWORD + "x"), "Basic " + b64("ALICE:" + ALICE_PASSWORD),
                "Basic " + b64("alice\0:" + ALICE_PASSWORD), "Basic " + b64("\u00e9l\u00efce:p\u00e4ss"), "Basic =",
                "Basic " + "QUFB".repeat(1500), "basic " + b64("alice:wrong"), "Bearer x", "Digest username=alice", "Negotiate",
                "Basic\t" + b64("alice:" + ALICE_PASSWORD) + "\0", "Basic " + b64("alice:" + ALICE_PASSWORD) + " trailing");
        for (String path : List.of("/v2/", "/v2/team/app/manifests/1", "/v2/team/app/blobs/uploads/", "/actuator/registrygc")) {
            for (String authorization : hostile) {
                String method = path.endsWith("uploads/") ? "POST" : "GET";
                try (RawHttp http = new RawHttp(port)) {
                    http.send((method + " " + path + " HTTP/1.1\r\nHost: registry\r\nAuthorization: " + authorization
                            + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                    RawHttp.Response response = http.read(false).orElseThrow();
                    String what = method + " " + path + " with " + authorization.substring(0, Math.min(60, authorization.length()));
                    assertThat(response.status()).as(what).isIn(400, 401);
                    assertThat(response.header("Content-Type")).as(what).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
                    JsonNode error = json.readTree(response.body()).path("errors").path(0);
                    assertThat(error.path("code").asString()).as(what).isIn("UNAUTHORIZED", "UNSUPPORTED");
                    if (response.status() == 401) {
                        assertThat(response.header("WWW-Authenticate")).as(what).hasValue(CHALLENGE);
                    }
                }
            }
        }
    }

    private static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void dockerLoginThenPushWorksAndAnAnonymousPushIsRefused(CapturedOutput output) throws IOException {
        DockerCli.requireEngine();
        DockerCli.Result build = new DockerCli().run(null, "bash", "../demo/build-images.sh");
        assertThat(build.exit()).as("demo/build-images.sh: %s", build.output()).isZero();
        Path dockerConfig = Files.createTempDirectory("docker-config");
        DockerCli docker = new DockerCli(dockerConfig);
        String host = "127.0.0.1:" + port;
        String image = host + "/team/busybox:1";
        try {
            docker.docker("tag", "atoll/busybox:local", image);

            DockerCli.Result anonymous = docker.tryDocker("push", image);
            assertThat(anonymous.exit()).isNotZero();
            assertThat(anonymous.output()).containsIgnoringCase("no basic auth credentials");

            DockerCli.Result badLogin = docker.dockerWithInput("wrong\n", "login", "-u", "alice", "--password-stdin", host);
            assertThat(badLogin.exit()).isNotZero();
            assertThat(badLogin.output()).containsIgnoringCase("unauthorized");

            DockerCli.Result bobLogin = docker.dockerWithInput(BOB_PASSWORD + "\n", "login", "-u", "bob", "--password-stdin", host);
            assertThat(bobLogin.exit()).as(bobLogin.output()).isZero();
            DockerCli.Result denied = docker.tryDocker("push", image);
            assertThat(denied.exit()).isNotZero();
            assertThat(denied.output()).containsIgnoringCase("denied");

            DockerCli.Result login = docker.dockerWithInput(ALICE_PASSWORD + "\n", "login", "-u", "alice", "--password-stdin", host);
            assertThat(login.exit()).as(login.output()).isZero();
            assertThat(login.output()).contains("Login Succeeded");
            assertThat(docker.docker("push", image)).containsPattern("digest: sha256:[a-f0-9]{64}");

            docker.docker("logout", host);
            assertThat(Files.readString(dockerConfig.resolve("config.json"))).doesNotContain(host);

            // Logged out, the image cannot be pulled back. (Docker sends no request at all once a
            // Basic challenge meets no stored credentials, so anonymous.pull does not help docker.)
            docker.docker("rmi", image);
            DockerCli.Result privatePull = docker.tryDocker("pull", image);
            assertThat(privatePull.exit()).isNotZero();
            assertThat(privatePull.output()).containsIgnoringCase("no basic auth credentials");
        } finally {
            docker.tryDocker("rmi", image);
            FileSystemUtils.deleteRecursively(dockerConfig);
        }
        assertThat(output.getAll()).doesNotContain(ALICE_PASSWORD).doesNotContain(BOB_PASSWORD)
                .doesNotContain(Base64.getEncoder().encodeToString(("alice:" + ALICE_PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    /** skopeo (containers/image) as the second real client: copy both ways, inspect, list tags, delete. */
    @Test
    void skopeoCopiesInspectsListsTagsAndDeletesWithCredentials(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        DockerCli.requireEngine();
        DockerCli.Result build = new DockerCli().run(null, "bash", "../demo/build-images.sh");
        assertThat(build.exit()).as("demo/build-images.sh: %s", build.output()).isZero();
        DockerCli cli = new DockerCli();
        String ref = "docker://127.0.0.1:" + port + "/team/skopeo/hello";
        String alice = "--creds=alice:" + ALICE_PASSWORD;
        String bob = "--creds=bob:" + BOB_PASSWORD;

        DockerCli.Result anonymous = cli.run(null, "skopeo", "copy", "--dest-tls-verify=false",
                "docker-daemon:atoll/hello:local", ref + ":1");
        assertThat(anonymous.exit()).isNotZero();
        assertThat(anonymous.output()).containsIgnoringCase("unauthorized");

        skopeo(cli, "copy", "--dest-tls-verify=false", "--dest-creds=alice:" + ALICE_PASSWORD,
                "docker-daemon:atoll/hello:local", ref + ":1");
        skopeo(cli, "copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--src-creds=alice:" + ALICE_PASSWORD,
                "--dest-creds=alice:" + ALICE_PASSWORD, ref + ":1", ref + ":2");
        JsonNode inspected = json.readTree(skopeo(cli, "inspect", "--tls-verify=false", bob, ref + ":1"));
        assertThat(inspected.path("Layers")).hasSize(2);
        String digest = inspected.path("Digest").asString();
        assertThat(strings(json.readTree(skopeo(cli, "list-tags", "--tls-verify=false", bob, ref)).path("Tags"))).containsExactly("1", "2");

        // Back out of the registry into an OCI layout on disk: the layers arrive whole.
        skopeo(cli, "copy", "--src-tls-verify=false", "--src-creds=bob:" + BOB_PASSWORD, ref + "@" + digest, "oci:" + dir.resolve("layout") + ":copy");
        assertThat(Files.readString(dir.resolve("layout/index.json"))).contains("\"copy\"");

        // Bob may read but not delete; alice deletes by digest, which takes both tags with it.
        assertThat(cli.run(null, "skopeo", "delete", "--tls-verify=false", bob, ref + ":2").output()).containsIgnoringCase("denied");
        skopeo(cli, "delete", "--tls-verify=false", alice, ref + ":2");
        assertThat(strings(json.readTree(skopeo(cli, "list-tags", "--tls-verify=false", bob, ref)).path("Tags"))).isEmpty();
        assertThat(cli.run(null, "skopeo", "inspect", "--tls-verify=false", bob, ref + "@" + digest).exit()).isNotZero();
    }

    private static String skopeo(DockerCli cli, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "skopeo";
        System.arraycopy(args, 0, command, 1, args.length);
        DockerCli.Result result = cli.run(null, command);
        assertThat(result.exit()).as("skopeo %s: %s", args[0], result.output()).isZero();
        return result.output();
    }

    private static java.util.List<String> strings(JsonNode array) {
        java.util.List<String> result = new java.util.ArrayList<>();
        array.forEach(node -> result.add(node.asString()));
        return result;
    }

    @Test
    void actuatorBeyondHealthInfoAndPrometheusNeedsAnAdmin() {
        RegistryClient registry = new RegistryClient(port);
        byte[] collect = "{\"dryRun\":true}".getBytes(StandardCharsets.UTF_8);
        String[] jsonBody = {"Content-Type", "application/json"};

        HttpResponse<byte[]> anonymous = registry.post("/actuator/registrygc", collect, jsonBody);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue(CHALLENGE);
        assertThat(errorCode(anonymous)).isEqualTo("UNAUTHORIZED");
        assertThat(registry.post("/actuator/registrygc", collect, "Content-Type", "application/json",
                "Authorization", basic("ops", "wrong")).statusCode()).isEqualTo(401);

        // alice may push everything under team/, but operating the registry is not part of that.
        HttpResponse<byte[]> pusher = registry.post("/actuator/registrygc", collect, "Content-Type", "application/json",
                "Authorization", basic("alice", ALICE_PASSWORD));
        assertThat(pusher.statusCode()).isEqualTo(403);
        assertThat(errorCode(pusher)).isEqualTo("DENIED");

        HttpResponse<byte[]> admin = registry.post("/actuator/registrygc", collect, "Content-Type", "application/json",
                "Authorization", basic("ops", OPS_PASSWORD));
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(json.readTree(admin.body()).path("dryRun").asBoolean()).isTrue();

        for (String readOnlyForAdmins : new String[] {"/actuator", "/actuator/registrygc", "/actuator/metrics",
                "/actuator/metrics/atoll.registry.requests", "/actuator/health/../metrics"}) {
            assertThat(registry.get(readOnlyForAdmins).statusCode()).as(readOnlyForAdmins).isEqualTo(401);
            assertThat(registry.get(readOnlyForAdmins, "Authorization", basic("bob", BOB_PASSWORD)).statusCode())
                    .as(readOnlyForAdmins).isEqualTo(403);
        }
        assertThat(registry.get("/actuator/metrics", "Authorization", basic("ops", OPS_PASSWORD)).statusCode()).isEqualTo(200);

        // What pollers and scrapers read stays anonymous.
        assertThat(registry.get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(registry.get("/actuator/health/storage").statusCode()).isEqualTo(200);
        assertThat(registry.get("/actuator/prometheus").statusCode()).isEqualTo(200);
        assertThat(registry.get("/actuator/info").statusCode()).isEqualTo(200);
    }

    @Test
    void authWithoutAnyGrantRefusesToStart() {
        assertThatThrownBy(() -> SpringApplication.run(ImageRegistryApplication.class, "--server.port=0",
                "--atoll.registry.storage.root=" + ROOT.resolveSibling("unused")))
                .hasStackTraceContaining("atoll.registry.auth is enabled but grants nothing");
        assertThatThrownBy(() -> SpringApplication.run(ImageRegistryApplication.class, "--server.port=0",
                "--atoll.registry.storage.root=" + ROOT.resolveSibling("unused"),
                "--atoll.registry.auth.users.eve.password-hash=plaintext", "--atoll.registry.auth.users.eve.pull[0]=*"))
                .hasStackTraceContaining("atoll.registry.auth.users.eve.password-hash must be a bcrypt hash")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("=plaintext"));
    }

    @AfterAll
    static void removeStorage() {
        FileSystemUtils.deleteRecursively(ROOT.getParent().toFile());
    }

    private String errorCode(HttpResponse<byte[]> response) {
        return json.readTree(response.body()).path("errors").path(0).path("code").asString();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter out = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
