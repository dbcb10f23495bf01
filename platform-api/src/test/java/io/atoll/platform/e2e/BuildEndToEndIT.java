package io.atoll.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.build.pipeline.MavenMirror;
import io.atoll.testing.DockerBridge;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 13's acceptance, with every service real and separate, as script/server runs them: a
 * signed GitHub push for a local git repository holding demo/java-hello (a Maven app with its
 * atoll.yml) makes build-service check it out, build it in a builder container, assemble and push
 * its image to Atoll's registry (which requires logins, as in production) and deploy it through
 * platform-api with alice's token; the release then serves through the gateway. The build's log
 * is followed live while it runs.
 */
class BuildEndToEndIT {

    private static final String APP = "java-hello";
    private static final String SECRET = "e2e-hook-Secret-0f3b";
    private static final Path DEMO = Path.of("..", "demo", APP).toAbsolutePath().normalize();

    static AtollPlatform platform;
    static ServiceProcess buildService;
    static MavenMirror mirror;
    static Path repository;
    static String commit;
    static int buildPort;
    static String aliceToken;

    @BeforeAll
    static void startPlatformAndBuildService() throws Exception {
        platform = AtollPlatform.start("build", List.of("zone-a"), List.of(), List.of());
        for (String base : List.of("base-java:17", "base-static:1")) {
            DockerCli.exec(List.of("skopeo", "copy", "-q", "--dest-tls-verify=false",
                    "--dest-creds", "builder:" + platform.builderPassword,
                    "docker-daemon:atoll/" + base.substring(0, base.indexOf(':')) + ":local",
                    "docker://" + platform.registryHost() + "/atoll/" + base));
        }
        mirror = MavenMirror.start(platform.data.resolve("maven-mirror"));
        String gateway = DockerBridge.hostAddress();

        Path git = Files.createDirectories(platform.data.resolve("git"));
        repository = git.resolve(APP);
        try (Stream<Path> files = Files.walk(DEMO)) {
            for (Path file : files.filter(f -> !DEMO.relativize(f).startsWith("target")).toList()) {
                Path target = git.resolve(APP).resolve(DEMO.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        // the memory atoll.yml asks for goes with the deploy
        Files.writeString(repository.resolve("atoll.yml"), Files.readString(repository.resolve("atoll.yml"))
                + "resources:\n  memory: 192Mi\n");
        git(repository, "init", "-q", "-b", "main");
        git(repository, "add", ".");
        git(repository, "-c", "user.name=alice", "-c", "user.email=alice@example.com", "commit", "-q", "-m", "java-hello");
        commit = git(repository, "rev-parse", "HEAD").trim();

        // alice (team web) makes the app and a token; build-service deploys with that token
        HttpResponse<String> token = AtollPlatform.HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + platform.apiPort + "/api/v1/tokens"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "alice:alice-dev".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"build-service\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(201);
        aliceToken = AtollPlatform.JSON.readTree(token.body()).get("token").asString();
        HttpResponse<String> app = asAlice("POST", "/api/v1/apps",
                "{\"name\":\"" + APP + "\",\"team\":\"web\",\"containerPort\":8080,\"healthPath\":\"/healthz\"}");
        assertThat(app.statusCode()).as(app.body()).isEqualTo(201);

        buildPort = ServiceProcess.freePort();
        buildService = new ServiceProcess("build-service", platform.logName("build-service"), buildPort, List.of(
                // not dev: every API call needs a token, and webhooks their signature
                "--server.port=" + buildPort,
                "--atoll.zookeeper.connect-string=127.0.0.1:" + platform.zookeeperPort,
                "--atoll.build.data-dir=" + platform.data.resolve("build"),
                "--atoll.build.platform.url=http://127.0.0.1:" + platform.apiPort,
                "--atoll.build.platform.token=" + aliceToken,
                "--atoll.build.registry.host=" + platform.registryHost(),
                "--atoll.build.registry.username=builder",
                "--atoll.build.registry.password=" + platform.builderPassword,
                "--atoll.build.registry.allow-insecure=true",
                "--atoll.build.builder.network=bridge",
                "--atoll.build.builder.maven-mirror=http://" + gateway + ":" + mirror.port() + "/",
                "--atoll.build.git.allowed-file-roots=" + git,
                "--atoll.build.hooks.secret=" + SECRET,
                "--atoll.build.apps." + APP + ".repository=" + git.resolve(APP).toUri(),
                "--atoll.build.apps." + APP + ".deploy=true")).start();
        buildService.awaitUp(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() throws Exception {
        if (buildService != null) {
            buildService.stop();
        }
        if (mirror != null) {
            mirror.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void aSignedPushBecomesARunningReleaseServedByTheGatewayWhileTheLogIsFollowed() throws Exception {
        String body = """
                {"ref":"refs/heads/main","after":"%s","repository":{"clone_url":"%s"},"pusher":{"name":"alice"}}"""
                .formatted(commit, repository.toUri());

        // a forged signature first: refused, and nothing is built
        HttpResponse<String> forged = hook(body, "sha256=" + hmac("not-the-secret", body), UUID.randomUUID().toString());
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(builds()).isEmpty();

        String delivery = UUID.randomUUID().toString();
        HttpResponse<String> accepted = hook(body, "sha256=" + hmac(SECRET, body), delivery);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String build = AtollPlatform.JSON.readTree(accepted.body()).get("build").asString();
        // the same delivery again is a replay: refused, still one build
        assertThat(hook(body, "sha256=" + hmac(SECRET, body), delivery).statusCode()).isEqualTo(409);

        // follow the log as a user would, with alice's token, noting the build's status at each line
        List<String[]> lines = follow(build).get(5, TimeUnit.MINUTES);
        assertThat(lines).as("lines received while the build was RUNNING")
                .anyMatch(line -> line[0].contains("Compiling 1 source file") && line[1].equals("RUNNING"));
        JsonNode done = buildRecord(build);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.get("steps").findValuesAsString("name"))
                .containsExactly("checkout", "manifest", "build", "image", "deploy");
        String digest = done.get("imageDigest").asString();
        assertThat(builds()).hasSize(1);

        // platform-api has a deploy of exactly that image, by alice (the token's owner), and it succeeds
        String image = APP + ":" + commit + "@" + digest;
        JsonNode deploy = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            JsonNode deploys = AtollPlatform.JSON.readTree(asAlice("GET", "/api/v1/apps/" + APP + "/deploys", null).body());
            return deploys.size() > 0 ? deploys.get(0) : null;
        }, d -> d != null);
        assertThat(deploy.get("image").asString()).isEqualTo(image);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> AtollPlatform.JSON.readTree(
                asAlice("GET", "/api/v1/apps/" + APP + "/deploys/" + deploy.get("id").asString(), null).body())
                .get("status").asString(), status -> status.equals("SUCCEEDED"));
        JsonNode releases = AtollPlatform.JSON.readTree(asAlice("GET", "/api/v1/apps/" + APP + "/releases", null).body());
        assertThat(releases.valueStream().filter(r -> r.toString().contains(digest)))
                .singleElement().satisfies(release -> {
                    assertThat(release.get("author").asString()).isEqualTo("alice");
                    assertThat(release.get("memoryMb").asLong()).isEqualTo(192);
                });

        // and the gateway serves it: the text is the greeting from the app's atoll.yml
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> platform.viaGateway(APP + ".localhost").body(), text -> text.startsWith("hello from a build"));

        // a push that does not compile fails at build, with the compiler's line, and deploys nothing
        Path hello = repository.resolve("src/main/java/demo/Hello.java");
        Files.writeString(hello, Files.readString(hello).replace("server.start();", "server.start()"));
        git(repository, "-c", "user.name=alice", "-c", "user.email=alice@example.com", "commit", "-q", "-a", "-m", "broken");
        String broken = git(repository, "rev-parse", "HEAD").trim();
        String brokenBody = body.replace(commit, broken);
        HttpResponse<String> second = hook(brokenBody, "sha256=" + hmac(SECRET, brokenBody), UUID.randomUUID().toString());
        assertThat(second.statusCode()).as(second.body()).isEqualTo(202);
        String failedBuild = AtollPlatform.JSON.readTree(second.body()).get("build").asString();
        JsonNode failed = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> buildRecord(failedBuild), b -> b.get("status").asString().equals("FAILED"));
        assertThat(failed.get("failedStep").asString()).isEqualTo("build");
        assertThat(failed.get("reason").asString()).contains("Hello.java").contains("';' expected");
        assertThat(failed.get("steps").findValuesAsString("name")).doesNotContain("image", "deploy");
        assertThat(AtollPlatform.JSON.readTree(asAlice("GET", "/api/v1/apps/" + APP + "/deploys", null).body())).hasSize(1);
        assertThat(platform.viaGateway(APP + ".localhost").body()).startsWith("hello from a build");
    }

    private static HttpResponse<String> hook(String body, String signature, String delivery) throws Exception {
        return AtollPlatform.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + buildPort
                        + "/api/v1/hooks/github?app=" + APP))
                .header("Content-Type", "application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", delivery).header("X-Hub-Signature-256", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode builds() throws Exception {
        return AtollPlatform.JSON.readTree(fromBuildService("/api/v1/builds?app=" + APP).body());
    }

    private static JsonNode buildRecord(String id) throws Exception {
        return AtollPlatform.JSON.readTree(fromBuildService("/api/v1/builds/" + id).body());
    }

    private static HttpResponse<String> fromBuildService(String path) throws Exception {
        HttpResponse<String> response = AtollPlatform.HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + buildPort + path))
                .header("Authorization", "Bearer " + aliceToken).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return response;
    }

    /** Each data line of the log's event stream, with the build's status when it arrived. */
    private static CompletableFuture<List<String[]>> follow(String build) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + buildPort
                        + "/api/v1/builds/" + build + "/log"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + aliceToken).build();
        return AtollPlatform.HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenApply(response -> {
            assertThat(response.statusCode()).isEqualTo(200);
            List<String[]> received = new ArrayList<>();
            try (Stream<String> lines = response.body()) {
                lines.filter(line -> line.startsWith("data:")).forEach(line -> {
                    try {
                        received.add(new String[] {line.substring(5), buildRecord(build).get("status").asString()});
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            return received;
        });
    }

    private static HttpResponse<String> asAlice(String method, String path, String body) throws Exception {
        return AtollPlatform.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platform.apiPort + path))
                .header("Authorization", "Bearer " + aliceToken).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String git(Path directory, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-C", directory.toString()));
        command.addAll(List.of(args));
        return DockerCli.exec(command);
    }

    private static String hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
