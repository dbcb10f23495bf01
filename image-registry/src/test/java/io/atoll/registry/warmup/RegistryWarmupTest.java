package io.atoll.registry.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.TestFiles;
import io.atoll.registry.storage.RegistryStorage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The start-up warm-up (off in the other tests) with authentication on, as in production: the
 * registry reports not ready while it pushes and pulls to itself, then ready, and leaves nothing
 * behind: no repository in the catalog, no blob, link, manifest or upload in storage.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.registry.warmup.enabled=true",
        "atoll.registry.warmup.min-duration=4s",
        "atoll.registry.warmup.max-duration=30s",
        "atoll.registry.warmup.blob-size=1MB"})
class RegistryWarmupTest {

    private static final Path ROOT = TestFiles.freshStorageRoot("registry-warmup-test");
    private static final String OPS_PASSWORD = "ops-" + UUID.randomUUID();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("atoll.registry.storage.root", ROOT::toString);
        registry.add("atoll.registry.auth.users.ops.password-hash", () -> new BCryptPasswordEncoder(4).encode(OPS_PASSWORD));
        registry.add("atoll.registry.auth.users.ops.pull[0]", () -> "*");
        registry.add("atoll.registry.auth.users.ops.admin", () -> "true");
    }

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    @Autowired
    RegistryStorage storage;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void holdsReadinessBackWhileItPushesAndPullsThenLeavesNothingBehind() throws Exception {
        HttpResponse<String> first = get("/actuator/health/readiness");
        assertThat(first.statusCode()).as("readiness while the warm-up runs: %s", first.body()).isEqualTo(503);
        assertThat(json.readTree(first.body()).at("/components/warmup/status").asString()).isEqualTo("OUT_OF_SERVICE");
        // Liveness is not readiness: the process is fine, it only should not take pushes yet.
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> ready = first;
        while (ready.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            ready = get("/actuator/health/readiness");
        }
        assertThat(ready.statusCode()).as("readiness after the warm-up: %s", ready.body()).isEqualTo(200);
        JsonNode warmup = json.readTree(ready.body()).at("/components/warmup/details");
        assertThat(warmup.get("endedBy").asString()).isIn("a quiet JIT", "max-duration");
        assertThat(warmup.get("rounds").asLong()).isPositive();
        assertThat(warmup.get("failed").asLong()).as("rounds refused or wrong (the private login, digests)").isZero();
        // Each round moves the 1 MB layer up three times and down once.
        assertThat(warmup.get("bytes").asLong()).isGreaterThanOrEqualTo(4L * warmup.get("rounds").asLong() * 1_000_000);

        HttpResponse<String> catalog = get("/v2/_catalog");
        assertThat(catalog.statusCode()).isEqualTo(200);
        assertThat(json.readTree(catalog.body()).get("repositories")).isEmpty();
        assertThat(storage.listRepositories()).isEmpty();
        assertThat(storage.listBlobs()).isEmpty();
        assertThat(storage.listBlobLinks()).isEmpty();
        assertThat(storage.listUploads()).isEmpty();
        assertThat(filesLeft()).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("atoll-registry-warmup"));
    }

    /** Files the warm-up could have left: blob data, manifests, tags, links, upload parts. */
    protected List<Path> filesLeft() throws IOException {
        if (!Files.isDirectory(ROOT)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !ROOT.relativize(f).toString().equals("layout-version"))
                    .toList();
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        String login = Base64.getEncoder().encodeToString(("ops:" + OPS_PASSWORD).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Basic " + login).build(), HttpResponse.BodyHandlers.ofString());
    }
}
