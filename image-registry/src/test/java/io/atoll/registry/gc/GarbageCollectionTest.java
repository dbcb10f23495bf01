package io.atoll.registry.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.RegistryClient;
import io.atoll.registry.TestFiles;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Garbage collection through the management endpoint, over real HTTP and a real filesystem:
 * only blobs that no manifest references and that are older than the grace period go, and with
 * them every repository's link to them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("dev")
class GarbageCollectionTest {

    private static final Path ROOT = TestFiles.freshStorageRoot("registry-gc-test");
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("atoll.registry.storage.root", ROOT::toString);
        registry.add("atoll.registry.gc.grace-period", () -> "1h");
    }

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    @Autowired
    RegistryStorage storage;

    @Test
    void collectsUnreferencedBlobsPastTheGracePeriodAndReportsThem() throws IOException {
        RegistryClient registry = new RegistryClient(port);
        byte[] configBytes = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layerBytes = TestFiles.randomBytes(3000);
        byte[] orphanBytes = TestFiles.randomBytes(5000);
        byte[] freshBytes = TestFiles.randomBytes(7000);
        Digest config = push(registry, "gc/app", configBytes);
        Digest layer = push(registry, "gc/app", layerBytes);
        Digest orphan = push(registry, "gc/app", orphanBytes);
        Digest fresh = push(registry, "gc/app", freshBytes);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":" + configBytes.length + ",\"digest\":\"" + config + "\"},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"size\":" + layerBytes.length + ",\"digest\":\"" + layer + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(registry.put("/v2/gc/app/manifests/1", manifest, "Content-Type", OCI_MANIFEST).statusCode()).isEqualTo(201);
        // A second repository holds the layer too (links keep nothing alive), and a link whose blob
        // is already gone (a crash between a blob's deletion and its links') waits to be swept.
        assertThat(registry.post("/v2/gc/mounted/blobs/uploads/?mount=" + layer + "&from=gc/app", null).statusCode()).isEqualTo(201);
        Digest vanished = Digest.of(TestFiles.randomBytes(10));
        storage.linkBlob(new RepositoryName("gc/crashed"), vanished);
        // Everything but the fresh blob was committed and linked "two hours ago".
        for (Digest digest : new Digest[] {config, layer, orphan}) {
            age(digest, Duration.ofHours(2));
        }

        JsonNode dryRun = gc(registry, "{\"dryRun\":true}");
        assertThat(dryRun.path("dryRun").asBoolean()).isTrue();
        assertThat(dryRun.path("deleted").toString()).contains(orphan.toString());
        assertThat(registry.head("/v2/gc/app/blobs/" + orphan).statusCode()).as("a dry run deletes nothing").isEqualTo(200);

        JsonNode report = gc(registry, "{}");
        assertThat(report.path("dryRun").asBoolean()).isFalse();
        assertThat(report.path("blobsDeleted").asInt()).isEqualTo(1);
        assertThat(report.path("bytesFreed").asLong()).isEqualTo(orphanBytes.length);
        assertThat(report.path("deleted").get(0).asString()).isEqualTo(orphan.toString());
        assertThat(report.path("blobsReferenced").asInt()).isEqualTo(2);
        assertThat(report.path("blobsKeptForGrace").asInt()).isEqualTo(1);
        assertThat(report.path("linksRemoved").asInt()).as("the orphan's link in gc/app and the dangling one").isEqualTo(2);
        assertThat(storage.blobLinked(new RepositoryName("gc/app"), orphan)).isFalse();
        assertThat(storage.blobLinked(new RepositoryName("gc/crashed"), vanished)).isFalse();
        assertThat(registry.get("/v2/gc/mounted/blobs/" + layer).body()).isEqualTo(layerBytes);
        assertThat(registry.head("/v2/gc/app/blobs/" + orphan).statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/gc/app/blobs/" + fresh).statusCode()).as("a push in progress keeps its blobs").isEqualTo(200);
        assertThat(registry.get("/v2/gc/app/blobs/" + layer).body()).isEqualTo(layerBytes);
        assertThat(registry.get("/v2/gc/app/manifests/1").statusCode()).isEqualTo(200);

        JsonNode last = json.readTree(registry.get("/actuator/registrygc").body());
        assertThat(last.path("startedAt").asString()).isEqualTo(report.path("startedAt").asString());

        // Once the manifest is deleted, its blobs are garbage too.
        assertThat(registry.send("DELETE", "/v2/gc/app/manifests/" + Digest.of(manifest), null).statusCode()).isEqualTo(202);
        JsonNode second = gc(registry, "{}");
        assertThat(second.path("bytesFreed").asLong()).isEqualTo(configBytes.length + layerBytes.length);
        assertThat(registry.head("/v2/gc/app/blobs/" + layer).statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/gc/app/blobs/" + fresh).statusCode()).isEqualTo(200);
        assertThat(second.path("linksRemoved").asInt()).as("config in gc/app, layer in gc/app and gc/mounted").isEqualTo(3);
        assertThat(storage.listBlobLinks()).extracting(RegistryStorage.BlobLink::digest).containsOnly(fresh);

        JsonNode metric = json.readTree(registry.get("/actuator/metrics/atoll.registry.gc.freed").body());
        assertThat(metric.path("measurements").path(0).path("value").asDouble())
                .isEqualTo(orphanBytes.length + configBytes.length + layerBytes.length);
    }

    @AfterAll
    static void removeStorage() {
        FileSystemUtils.deleteRecursively(ROOT.getParent().toFile());
    }

    private JsonNode gc(RegistryClient registry, String body) {
        HttpResponse<byte[]> response = registry.post("/actuator/registrygc", body.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json");
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return json.readTree(response.body());
    }

    /** Makes the blob and every repository's link to it older (a link within the grace period keeps its blob). */
    private static void age(Digest digest, Duration by) throws IOException {
        FileTime old = FileTime.from(Instant.now().minus(by));
        Path data = ROOT.resolve("blobs/sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex()).resolve("data");
        Files.setLastModifiedTime(data, old);
        try (java.util.stream.Stream<Path> files = Files.walk(ROOT.resolve("repositories"))) {
            for (Path link : files.filter(p -> p.endsWith(Path.of("_layers", "sha256", digest.hex(), "link"))).toList()) {
                Files.setLastModifiedTime(link, old);
            }
        }
    }

    private static Digest push(RegistryClient registry, String repository, byte[] content) {
        Digest digest = Digest.of(content);
        HttpResponse<byte[]> response = registry.post("/v2/" + repository + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", "application/octet-stream");
        assertThat(response.statusCode()).isEqualTo(201);
        return digest;
    }
}
