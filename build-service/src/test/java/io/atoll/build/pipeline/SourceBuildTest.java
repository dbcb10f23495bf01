package io.atoll.build.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.atoll.build.Http;
import io.atoll.build.image.RegistryProcess;
import io.atoll.testing.DockerBridge;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

/**
 * The real builder, end to end inside build-service: a signed GitHub push for a git repository
 * holding demo/java-hello (a Maven app with its atoll.yml) is checked out with JGit, built by
 * Maven in {@code atoll/builder-java:local} on the real engine, assembled with jib onto
 * {@code atoll/base-java:local} and pushed to Atoll's real image-registry (the packaged jar); the
 * image is then pulled and run by the engine and answers. Maven's dependencies come through a
 * {@link MavenMirror} on the bridge network, as from an organisation's repository manager.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:sourcebuilds;DB_CLOSE_DELAY=-1",
        "atoll.build.platform.anonymous=true",
        "atoll.build.hooks.secret=" + SourceBuildTest.SECRET,
        "atoll.build.builder.network=bridge",
        "atoll.build.builder.timeout=5m",
        "atoll.build.registry.allow-insecure=true",
        "atoll.build.builder.base-java=atoll/base-java:17",
        "atoll.build.builder.base-static=atoll/base-static:1",
        "atoll.build.upload.max-upload-bytes=1048576"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SourceBuildTest {

    static final String SECRET = "source-build-Secret-51c2";
    private static final String APP = "java-hello";
    private static final Path DEMO = Path.of("..", "demo", "java-hello").toAbsolutePath().normalize();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    static Path dir;
    static RegistryProcess registry;
    static MavenMirror mirror;
    static Git repository;
    static String firstDigest;
    static final String OWNER = UUID.randomUUID().toString();
    static String leftOver;
    static String othersBuild;
    static String warmBuilder;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void platform(DynamicPropertyRegistry properties) throws Exception {
        dir = Files.createTempDirectory("source-build");
        registry = RegistryProcess.start(Files.createDirectories(dir.resolve("registry")));
        for (String base : List.of("base-java:17", "base-static:1")) {
            String local = "atoll/" + base.substring(0, base.indexOf(':')) + ":local";
            run("skopeo", "copy", "-q", "--dest-tls-verify=false", "docker-daemon:" + local,
                    "docker://" + registry.host() + "/atoll/" + base);
        }
        mirror = MavenMirror.start(dir.resolve("mirror"));
        String gateway = DockerBridge.hostAddress();
        Path git = Files.createDirectories(dir.resolve("git"));
        repository = Git.init().setDirectory(git.resolve(APP).toFile()).setInitialBranch("main").call();
        copy(DEMO, git.resolve(APP));
        commit("java-hello as in demo/");
        // a builder container left by a previous process of this build-service, and one of another's
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/builder-owner"), OWNER + "\n");
        leftOver = run("docker", "run", "-d", "--label", "io.atoll.build=left-over", "--label",
                "io.atoll.build.owner=" + OWNER, "atoll/busybox:local", "sleep", "600").trim();
        othersBuild = run("docker", "run", "-d", "--label", "io.atoll.build=someone-elses", "--label",
                "io.atoll.build.owner=" + UUID.randomUUID(), "atoll/busybox:local", "sleep", "600").trim();
        properties.add("atoll.build.data-dir", () -> dir.resolve("data").toString());
        properties.add("atoll.build.workspace-dir", () -> dir.resolve("work").toString());
        properties.add("atoll.build.git.allowed-file-roots", git::toString);
        properties.add("atoll.build.registry.host", registry::host);
        properties.add("atoll.build.registry.cache-dir", () -> dir.resolve("jib").toString());
        properties.add("atoll.build.builder.maven-mirror", () -> "http://" + gateway + ":" + mirror.port() + "/");
        properties.add("atoll.build.apps." + APP + ".repository", () -> git.resolve(APP).toUri().toString());
    }

    @AfterAll
    static void stop() throws Exception {
        run("docker", "rm", "-f", "source-build-test-" + APP);
        if (othersBuild != null) {
            run("docker", "rm", "-f", othersBuild);
        }
        // null when the set-up failed part way: what it did start still stops
        if (repository != null) {
            repository.close();
        }
        if (mirror != null) {
            mirror.close();
        }
        if (registry != null) {
            registry.close();
        }
        FileSystemUtils.deleteRecursively(dir);
    }

    @Test
    @Order(0)
    void atStartItRemovesTheBuilderContainersItsPreviousProcessLeftAndNoOneElses() throws Exception {
        assertThat(run("docker", "ps", "-aq", "--no-trunc", "--filter", "id=" + leftOver)).isBlank();
        assertThat(run("docker", "ps", "-q", "--no-trunc", "--filter", "id=" + othersBuild).trim()).isEqualTo(othersBuild);
    }

    @Test
    @Order(1)
    void aSignedPushIsBuiltIntoARunnableImageWhileItsLogIsFollowedLive() throws Exception {
        String commit = repository.log().call().iterator().next().getName();
        String id = push(commit);

        Follow follow = follow(id);
        List<Follow.Event> events = follow.events.get(5, TimeUnit.MINUTES);
        JsonNode build = build(id);
        assertThat(build.get("status").asString()).as(build.toString()).isEqualTo("SUCCEEDED");
        assertThat(build.get("commit").asString()).isEqualTo(commit);
        assertThat(build.get("steps").findValuesAsString("name"))
                .containsExactly("checkout", "manifest", "build", "image");

        // the log went out while the build ran: Maven's lines arrived before the build had finished
        Follow.Event compiled = events.stream().filter(e -> e.data().contains("Compiling 1 source file"))
                .findFirst().orElseThrow(() -> new AssertionError("no compiler line in " + events));
        assertThat(compiled.statusWhenReceived()).isEqualTo("RUNNING");
        Follow.Event end = events.get(events.size() - 1);
        assertThat(end.name()).isEqualTo("end");
        assertThat(end.data()).contains("SUCCEEDED");
        assertThat(events).anyMatch(e -> e.data().contains("BUILD SUCCESS"));

        // the image in Atoll's registry is the one recorded, under the app's name and the commit
        String digest = build.get("imageDigest").asString();
        assertThat(registryDigest(commit)).isEqualTo(digest);
        firstDigest = digest;

        // and it runs: pulled and started by the engine, it answers with its atoll.yml's env
        String image = registry.host() + "/" + APP + "@" + digest;
        run("docker", "pull", "-q", image);
        run("docker", "run", "-d", "--name", "source-build-test-" + APP, "-p", "127.0.0.1::8080", image);
        String hostPort = run("docker", "port", "source-build-test-" + APP, "8080/tcp").trim();
        assertThat(awaitBody("http://" + hostPort + "/")).startsWith("hello from a build");

        // Maven ran in the app's warm builder, which stays for the app's next builds
        assertThat(events).anyMatch(e -> e.data().contains("(in the app's warm builder)"));
        warmBuilder = warmBuilderOf(APP);
    }

    @Test
    @Order(2)
    void theSameCommitBuiltAgainGivesTheSameDigestFromTheAppsCache() throws Exception {
        String commit = repository.log().call().iterator().next().getName();
        int mirrorRequests = mirror.requests();
        Http.Answer answer = http().postJson("/api/v1/apps/" + APP + "/builds",
                "{\"repository\":\"" + repoUrl() + "\",\"ref\":\"" + commit + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        String id = answer.json().get("id").asString();
        JsonNode build = awaitFinished(id);
        assertThat(build.get("status").asString()).as(build.toString()).isEqualTo("SUCCEEDED");
        assertThat(build.get("imageDigest").asString()).isEqualTo(firstDigest);
        // nothing was downloaded again: Maven found every plugin in the app's cache
        assertThat(mirror.requests()).isEqualTo(mirrorRequests);

        // in the same warm builder as the first build, and the checkout it built is gone
        assertThat(log(id)).contains("(in the app's warm builder)").doesNotContain("starting the app's warm builder");
        assertThat(warmBuilderOf(APP)).isEqualTo(warmBuilder);
        try (Stream<Path> left = Files.list(dir.resolve("data/warm").resolve(APP).resolve("builds"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    @Order(3)
    void aCompileErrorFailsTheBuildAtItsStepWithTheCompilersLinesAndPushesNothing() throws Exception {
        Path hello = repository.getRepository().getWorkTree().toPath().resolve("src/main/java/demo/Hello.java");
        String good = Files.readString(hello);
        Files.writeString(hello, good.replace("server.start();", "server.start()"));
        String commit = commit("missing semicolon");
        try {
            JsonNode build = awaitFinished(push(commit));
            assertThat(build.get("status").asString()).isEqualTo("FAILED");
            assertThat(build.get("failedStep").asString()).isEqualTo("build");
            assertThat(build.get("reason").asString()).contains("exited with 1")
                    .contains("Hello.java").contains("';' expected");
            assertThat(build.get("imageDigest").isNull()).isTrue();
            assertThat(log(build.get("id").asString())).contains("COMPILATION ERROR").contains("FAILED at step build");
            assertThat(registryStatus(commit)).isEqualTo(404);
        } finally {
            Files.writeString(hello, good);
            commit("fixed");
        }
    }

    @Test
    @Order(4)
    void aBadManifestFailsAtStepManifestWithItsLineAndBuildsNothing() throws Exception {
        Path manifest = repository.getRepository().getWorkTree().toPath().resolve("atoll.yml");
        String good = Files.readString(manifest);
        Files.writeString(manifest, good.replace("health:", "helth:"));
        String commit = commit("typo in atoll.yml");
        try {
            JsonNode build = awaitFinished(push(commit));
            assertThat(build.get("status").asString()).isEqualTo("FAILED");
            assertThat(build.get("failedStep").asString()).isEqualTo("manifest");
            assertThat(build.get("reason").asString()).contains("atoll.yml:4:").contains("did you mean health?");
            assertThat(build.get("steps").findValuesAsString("name")).containsExactly("checkout", "manifest");
            assertThat(registryStatus(commit)).isEqualTo(404);
        } finally {
            Files.writeString(manifest, good);
            commit("fixed");
        }
    }

    @Test
    @Order(5)
    void anUploadedStaticSiteIsBuiltIntoAnImageThatServesIt() throws Exception {
        byte[] site = tarGz(java.util.Map.of(
                "atoll.yml", "name: docs\ntype: static\nroot: public\n",
                "public/index.html", "<h1>uploaded docs</h1>\n",
                "public/css/site.css", "h1 { color: teal }\n"));
        HttpResponse<String> answer = upload("docs", site);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        JsonNode queued = new tools.jackson.databind.json.JsonMapper().readTree(answer.body());
        assertThat(queued.get("source").get("kind").asString()).isEqualTo("upload");
        JsonNode build = awaitFinished(queued.get("id").asString());
        assertThat(build.get("status").asString()).as(build.toString()).isEqualTo("SUCCEEDED");
        // the record's commit is the upload's sha256, and the image's tag
        String sha256 = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(site));
        assertThat(build.get("commit").asString()).isEqualTo(sha256);
        String digest = build.get("imageDigest").asString();
        String image = registry.host() + "/docs@" + digest;
        run("docker", "pull", "-q", image);
        run("docker", "run", "-d", "--name", "source-build-test-docs", "-p", "127.0.0.1::8080", image);
        try {
            String hostPort = run("docker", "port", "source-build-test-docs", "8080/tcp").trim();
            assertThat(awaitBody("http://" + hostPort + "/index.html")).isEqualTo("<h1>uploaded docs</h1>\n");
            assertThat(awaitBody("http://" + hostPort + "/css/site.css")).contains("teal");
            assertThat(awaitBody("http://" + hostPort + "/healthz")).isNotEmpty();
        } finally {
            run("docker", "rm", "-f", "source-build-test-docs");
        }
    }

    @Test
    @Order(6)
    void hostileOrOversizedUploadsAreRefusedAtOnceAndBuildNothing() throws Exception {
        int before = http().get("/api/v1/builds?app=docs").json().size();
        HttpResponse<String> traversal = upload("docs", tarGz(java.util.Map.of("../evil", "x")));
        assertThat(traversal.statusCode()).isEqualTo(400);
        assertThat(traversal.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(traversal.body()).contains("..");
        HttpResponse<String> notGzip = upload("docs", "just text".getBytes(StandardCharsets.UTF_8));
        assertThat(notGzip.statusCode()).isEqualTo(400);
        byte[] big = new byte[2 * 1024 * 1024];
        new java.util.Random(7).nextBytes(big);
        HttpResponse<String> tooBig = upload("docs", big);
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(tooBig.body()).contains("max-upload-bytes");
        assertThat(http().get("/api/v1/builds?app=docs").json().size()).isEqualTo(before);
        // nothing refused is kept
        try (Stream<Path> kept = Files.list(dir.resolve("data/uploads"))) {
            assertThat(kept).isEmpty();
        }
    }

    @Test
    @Order(7)
    void aDockerfileAppIsBuiltByTheEngineAndPushed() throws Exception {
        HttpResponse<String> answer = upload("shell", tarGz(java.util.Map.of(
                "atoll.yml", "name: shell\ntype: dockerfile\n",
                "Dockerfile", "FROM atoll/busybox:local\nCOPY greeting /greeting\nRUN echo built-by-the-engine > /built\n"
                        + "CMD [\"cat\", \"/greeting\", \"/built\"]\n",
                "greeting", "hello from a Dockerfile\n")));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        String id = new tools.jackson.databind.json.JsonMapper().readTree(answer.body()).get("id").asString();
        JsonNode build = awaitFinished(id);
        assertThat(build.get("status").asString()).as(build.toString()).isEqualTo("SUCCEEDED");
        assertThat(build.get("steps").findValuesAsString("name")).containsExactly("checkout", "manifest", "image");
        assertThat(log(id)).contains("RUN echo built-by-the-engine");
        String image = registry.host() + "/shell@" + build.get("imageDigest").asString();
        run("docker", "pull", "-q", image);
        assertThat(run("docker", "run", "--rm", image)).isEqualTo("hello from a Dockerfile\nbuilt-by-the-engine\n");
        run("docker", "rmi", image);

        // a Dockerfile that fails fails the build at image, with the engine's words
        HttpResponse<String> failing = upload("shell", tarGz(java.util.Map.of(
                "atoll.yml", "name: shell\ntype: dockerfile\n",
                "Dockerfile", "FROM atoll/busybox:local\nRUN exit 3\n")));
        JsonNode failed = awaitFinished(new tools.jackson.databind.json.JsonMapper().readTree(failing.body()).get("id").asString());
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("failedStep").asString()).isEqualTo("image");
        assertThat(failed.get("reason").asString()).contains("exit 3").contains("non-zero code: 3");
    }

    @Test
    @Order(8)
    void aCommandAppsArtifactIsRunByItsRunCommandFromWhereTheBuildLeftIt() throws Exception {
        HttpResponse<String> answer = upload("tool", tarGz(java.util.Map.of(
                "atoll.yml", """
                        name: tool
                        type: command
                        build: |
                          mkdir -p out/lib
                          printf '#!/bin/sh\\necho "tool on port $PORT, $(cat out/lib/data)"\\n' > out/serve
                          chmod +x out/serve
                          echo built in the builder > out/lib/data
                        artifact: out
                        run: ./out/serve
                        """)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        String id = new tools.jackson.databind.json.JsonMapper().readTree(answer.body()).get("id").asString();
        JsonNode build = awaitFinished(id);
        assertThat(build.get("status").asString()).as(build.toString() + log(id)).isEqualTo("SUCCEEDED");
        assertThat(build.get("steps").findValuesAsString("name")).containsExactly("checkout", "manifest", "build", "image");
        String image = registry.host() + "/tool@" + build.get("imageDigest").asString();
        run("docker", "pull", "-q", image);
        assertThat(run("docker", "run", "--rm", "-e", "PORT=9000", image)).isEqualTo("tool on port 9000, built in the builder\n");
        run("docker", "rmi", image);
    }

    @Test
    @Order(9)
    void cancellingARunningBuildKillsAndRemovesItsBuilderContainer() throws Exception {
        HttpResponse<String> answer = upload("sleeper", tarGz(java.util.Map.of(
                "atoll.yml", "name: sleeper\ntype: command\nbuild: echo going to sleep; sleep 600\nartifact: out\nrun: ./out\n")));
        String id = new tools.jackson.databind.json.JsonMapper().readTree(answer.body()).get("id").asString();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        // the command's own output, not the log's "$ echo going to sleep" line
        while (log(id).lines().noneMatch("going to sleep"::equals) && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        // labelled as this build-service's, so that a restart after a crash removes it
        assertThat(run("docker", "ps", "-q", "--filter", "label=io.atoll.build=" + id,
                "--filter", "label=io.atoll.build.owner=" + OWNER)).as("its builder container runs").isNotBlank();

        assertThat(http().post("/api/v1/builds/" + id + "/cancel", new byte[0]).status()).isEqualTo(202);
        JsonNode build = awaitFinished(id);
        assertThat(build.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(Duration.between(Instant.parse(build.get("startedAt").asString()),
                Instant.parse(build.get("finishedAt").asString()))).isLessThan(Duration.ofSeconds(60));
        assertThat(run("docker", "ps", "-aq", "--filter", "label=io.atoll.build=" + id)).as("nothing left").isBlank();
    }

    private HttpResponse<String> upload(String app, byte[] body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/apps/" + app + "/builds"))
                .header("Content-Type", "application/gzip").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A .tar.gz with these files, names as given (the hostile ones too). */
    private static byte[] tarGz(java.util.Map<String, String> files) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                new java.util.zip.GZIPOutputStream(bytes))) {
            for (var file : new java.util.TreeMap<>(files).entrySet()) {
                byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
                var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(file.getKey(), true);
                entry.setSize(content.length);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private String push(String commit) throws Exception {
        String body = """
                {"ref":"refs/heads/main","after":"%s","repository":{"clone_url":"%s"},"pusher":{"name":"tester"}}"""
                .formatted(commit, repoUrl());
        Http.Answer answer = http().postJson("/api/v1/hooks/github?app=" + APP, body,
                "X-GitHub-Event", "push", "X-GitHub-Delivery", UUID.randomUUID().toString(),
                "X-Hub-Signature-256", "sha256=" + hmac(body));
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        return answer.json().get("build").asString();
    }

    private String repoUrl() {
        return repository.getRepository().getWorkTree().toPath().toUri().toString();
    }

    private Http http() {
        return new Http(port);
    }

    private JsonNode build(String id) {
        return http().get("/api/v1/builds/" + id).json();
    }

    private JsonNode awaitFinished(String id) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (Instant.now().isBefore(deadline)) {
            JsonNode build = build(id);
            String status = build.get("status").asString();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                return build;
            }
            Thread.sleep(200);
        }
        return fail("build " + id + " did not finish: " + build(id));
    }

    private String log(String id) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/builds/" + id + "/log"))
                .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The log as server-sent events, each noted with the build's status at the moment it arrived. */
    private record Follow(CompletableFuture<List<Event>> events) {
        record Event(String name, String data, String statusWhenReceived) {
        }
    }

    private Follow follow(String id) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/builds/" + id + "/log"))
                .header("Accept", "text/event-stream").build();
        CompletableFuture<List<Follow.Event>> events = CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenApply(response -> {
                    assertThat(response.statusCode()).isEqualTo(200);
                    List<Follow.Event> received = new ArrayList<>();
                    String[] name = {null};
                    try (Stream<String> lines = response.body()) {
                        lines.forEach(line -> {
                            if (line.startsWith("event:")) {
                                name[0] = line.substring(6);
                            } else if (line.startsWith("data:")) {
                                received.add(new Follow.Event(name[0], line.substring(5),
                                        build(id).get("status").asString()));
                            }
                        });
                    }
                    return received;
                });
        return new Follow(events);
    }

    private String registryDigest(String tag) throws Exception {
        HttpResponse<Void> response = headManifest(tag);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    private int registryStatus(String tag) throws Exception {
        return headManifest(tag).statusCode();
    }

    private HttpResponse<Void> headManifest(String tag) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + registry.host() + "/v2/" + APP + "/manifests/" + tag))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(),
                HttpResponse.BodyHandlers.discarding());
    }

    private static String awaitBody(String url) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try {
                HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return response.body();
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (Instant.now().isAfter(deadline)) {
                return fail("nothing answered at " + url);
            }
            Thread.sleep(200);
        }
    }

    private static String commit(String message) throws Exception {
        repository.add().addFilepattern(".").call();
        RevCommit commit = repository.commit().setMessage(message).setAuthor("tester", "tester@example.com")
                .setCommitter("tester", "tester@example.com").call();
        return commit.getName();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(f -> !from.relativize(f).startsWith("target")).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    private static String hmac(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** The id of the app's warm builder container: there is exactly one. */
    private static String warmBuilderOf(String app) throws IOException, InterruptedException {
        List<String> ids = run("docker", "ps", "-q", "--no-trunc", "--filter", "label=io.atoll.build.warm=" + app,
                "--filter", "label=io.atoll.build.owner=" + OWNER).lines().toList();
        assertThat(ids).as("one warm builder of " + app).hasSize(1);
        return ids.get(0);
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            if (command[0].equals("docker") && command[1].equals("rm")) {
                return output;
            }
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
