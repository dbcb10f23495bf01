package io.atoll.registry.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.RegistryClient;
import io.atoll.registry.oci.Digest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The Distribution API over real HTTP, on a real filesystem, as a client other than docker sees it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("dev")
class DistributionApiTest {

    private static final Path ROOT = tempDir();
    private static final String OCTET = "application/octet-stream";
    private static final String DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String PLATFORM_API_ACCEPT = String.join(", ", DOCKER_V2, OCI_MANIFEST,
            "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json");

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        registry.add("atoll.registry.storage.root", ROOT::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    RegistryClient registry;

    @BeforeEach
    void client() {
        registry = new RegistryClient(port);
    }

    @Test
    void pingAnswersWithTheApiVersion() {
        HttpResponse<byte[]> response = registry.get("/v2/");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
    }

    @Test
    void chunkedUploadWithPatchBecomesABlob() {
        byte[] content = randomBytes(300_000);
        Digest digest = Digest.of(content);

        HttpResponse<byte[]> started = registry.post("/v2/library/chunky/blobs/uploads/", null);
        assertThat(started.statusCode()).isEqualTo(202);
        assertThat(started.headers().firstValue("Range")).hasValue("0-0");
        assertThat(started.headers().firstValue("Docker-Upload-UUID")).isPresent();
        String location = registry.location(started);
        assertThat(location).startsWith("/v2/library/chunky/blobs/uploads/");

        HttpResponse<byte[]> first = registry.patch(location, Arrays.copyOfRange(content, 0, 100_000),
                "Content-Type", OCTET, "Content-Range", "0-99999");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.headers().firstValue("Range")).hasValue("0-99999");

        // A chunk out of order is refused and changes nothing.
        HttpResponse<byte[]> outOfOrder = registry.patch(registry.location(first), Arrays.copyOfRange(content, 200_000, 300_000),
                "Content-Type", OCTET, "Content-Range", "200000-299999");
        assertThat(outOfOrder.statusCode()).isEqualTo(416);
        assertThat(errorCode(outOfOrder)).isEqualTo("BLOB_UPLOAD_INVALID");

        // Without Content-Range, as docker sends it.
        HttpResponse<byte[]> second = registry.patch(registry.location(first), Arrays.copyOfRange(content, 100_000, 250_000),
                "Content-Type", OCTET);
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(second.headers().firstValue("Range")).hasValue("0-249999");

        HttpResponse<byte[]> status = registry.get(registry.location(second));
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-249999");

        // The last chunk travels with the PUT.
        HttpResponse<byte[]> done = registry.put(registry.location(second) + "?digest=" + digest,
                Arrays.copyOfRange(content, 250_000, 300_000), "Content-Type", OCTET);
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(done.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(registry.location(done)).isEqualTo("/v2/library/chunky/blobs/" + digest);

        HttpResponse<byte[]> blob = registry.get("/v2/library/chunky/blobs/" + digest);
        assertThat(blob.statusCode()).isEqualTo(200);
        assertThat(blob.body()).isEqualTo(content);
        assertThat(blob.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());

        HttpResponse<byte[]> head = registry.head("/v2/library/chunky/blobs/" + digest);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(content.length);

        HttpResponse<byte[]> range = registry.get("/v2/library/chunky/blobs/" + digest, "Range", "bytes=1000-1999");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(content, 1000, 2000));

        // The upload is gone once committed.
        assertThat(registry.get(registry.location(second)).statusCode()).isEqualTo(404);
    }

    @Test
    void monolithicUploadsByPostAndByPut() {
        byte[] one = randomBytes(5_000);
        HttpResponse<byte[]> post = registry.post("/v2/mono/blobs/uploads/?digest=" + Digest.of(one), one, "Content-Type", OCTET);
        assertThat(post.statusCode()).isEqualTo(201);
        assertThat(post.headers().firstValue("Docker-Content-Digest")).hasValue(Digest.of(one).toString());
        assertThat(registry.get("/v2/mono/blobs/" + Digest.of(one)).body()).isEqualTo(one);

        byte[] two = randomBytes(7_000);
        String location = registry.location(registry.post("/v2/mono/blobs/uploads/", null));
        HttpResponse<byte[]> put = registry.put(location + "?digest=" + Digest.of(two), two, "Content-Type", OCTET);
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/mono/blobs/" + Digest.of(two)).body()).isEqualTo(two);
    }

    @Test
    void digestMismatchIsRefusedAndLeavesNothingVisible() throws IOException {
        byte[] content = randomBytes(10_000);
        byte[] claimed = randomBytes(10);
        String location = registry.location(registry.post("/v2/mismatch/blobs/uploads/", null));
        registry.patch(location, content, "Content-Type", OCTET);

        HttpResponse<byte[]> put = registry.put(location + "?digest=" + Digest.of(claimed), null);
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(errorCode(put)).isEqualTo("DIGEST_INVALID");

        assertThat(registry.head("/v2/mismatch/blobs/" + Digest.of(claimed)).statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/mismatch/blobs/" + Digest.of(content)).statusCode()).isEqualTo(404);
        assertThat(registry.get(location).statusCode()).isEqualTo(404);
        assertThat(blobFiles()).noneMatch(p -> p.toString().contains(Digest.of(content).hex()));

        // A monolithic POST with the wrong digest, likewise.
        HttpResponse<byte[]> post = registry.post("/v2/mismatch/blobs/uploads/?digest=" + Digest.of(claimed), content,
                "Content-Type", OCTET);
        assertThat(post.statusCode()).isEqualTo(400);
        assertThat(errorCode(post)).isEqualTo("DIGEST_INVALID");
        assertThat(registry.head("/v2/mismatch/blobs/" + Digest.of(claimed)).statusCode()).isEqualTo(404);
    }

    @Test
    void anUnfinishedUploadIsNeverVisibleAsABlob() throws IOException {
        byte[] content = randomBytes(50_000);
        Digest digest = Digest.of(content);
        String location = registry.location(registry.post("/v2/partial/blobs/uploads/", null));
        String next = registry.location(registry.patch(location, Arrays.copyOfRange(content, 0, 20_000), "Content-Type", OCTET));

        HttpResponse<byte[]> missing = registry.get("/v2/partial/blobs/" + digest);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(errorCode(missing)).isEqualTo("BLOB_UNKNOWN");
        assertThat(registry.head("/v2/partial/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(blobFiles()).noneMatch(p -> p.toString().contains(digest.hex()));

        // Someone else's repository cannot touch the upload.
        HttpResponse<byte[]> foreign = registry.patch(next.replace("/v2/partial/", "/v2/other/"), new byte[] {1}, "Content-Type", OCTET);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(errorCode(foreign)).isEqualTo("BLOB_UPLOAD_UNKNOWN");

        registry.put(next + "?digest=" + digest, Arrays.copyOfRange(content, 20_000, 50_000), "Content-Type", OCTET);
        assertThat(registry.get("/v2/partial/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void invalidNamesAreRefusedBeforeStorage() throws IOException {
        for (String name : List.of("../x", "a/../../x", "UPPER", "-x", "x-", "a..b", "a/_manifests", "demo/%2e%2e")) {
            HttpResponse<byte[]> manifests = registry.get("/v2/" + name + "/manifests/latest");
            assertThat(manifests.statusCode()).as(name).isEqualTo(400);
            assertThat(errorCode(manifests)).as(name).isEqualTo("NAME_INVALID");
            HttpResponse<byte[]> upload = registry.post("/v2/" + name + "/blobs/uploads/", null);
            assertThat(upload.statusCode()).as(name).isEqualTo(400);
            assertThat(errorCode(upload)).as(name).isEqualTo("NAME_INVALID");
        }
        try (Stream<Path> top = Files.list(ROOT.getParent())) {
            assertThat(top).noneMatch(p -> p.getFileName().toString().equals("x"));
        }
        HttpResponse<byte[]> tag = registry.get("/v2/fine/manifests/.hidden");
        assertThat(tag.statusCode()).isEqualTo(400);
    }

    @Test
    void unknownBlobIs404BlobUnknown() {
        HttpResponse<byte[]> response = registry.get("/v2/anything/blobs/sha256:" + "0".repeat(64));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("BLOB_UNKNOWN");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        HttpResponse<byte[]> badDigest = registry.get("/v2/anything/blobs/sha256:nothex");
        assertThat(badDigest.statusCode()).isEqualTo(400);
        assertThat(errorCode(badDigest)).isEqualTo("DIGEST_INVALID");
    }

    @Test
    void malformedManifestIsManifestInvalid() {
        for (String body : List.of("{not json", "[1,2]", "{\"schemaVersion\":1}", "{\"schemaVersion\":2,\"layers\":[]}")) {
            HttpResponse<byte[]> response = registry.put("/v2/broken/manifests/1", body.getBytes(StandardCharsets.UTF_8),
                    "Content-Type", DOCKER_V2);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(errorCode(response)).as(body).isEqualTo("MANIFEST_INVALID");
        }
        assertThat(registry.get("/v2/broken/manifests/1").statusCode()).isEqualTo(404);
    }

    @Test
    void manifestReferencingAnAbsentBlobIsManifestBlobUnknown() {
        Digest config = pushBlob("absent", "{}".getBytes(StandardCharsets.UTF_8));
        Digest missing = Digest.of(randomBytes(32));
        byte[] manifest = imageManifest(DOCKER_V2, config, 2, missing, 10);
        HttpResponse<byte[]> response = registry.put("/v2/absent/manifests/1", manifest, "Content-Type", DOCKER_V2);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertThat(registry.head("/v2/absent/manifests/1").statusCode()).isEqualTo(404);
    }

    @Test
    void manifestsByTagAndByDigestReturnTheExactBytesAndType() throws IOException {
        byte[] configBytes = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layerBytes = randomBytes(4096);
        Digest config = pushBlob("library/app", configBytes);
        Digest layer = pushBlob("library/app", layerBytes);
        byte[] manifest = imageManifest(OCI_MANIFEST, config, configBytes.length, layer, layerBytes.length);
        Digest expected = Digest.of(manifest);

        HttpResponse<byte[]> put = registry.put("/v2/library/app/manifests/v1", manifest, "Content-Type", OCI_MANIFEST);
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.headers().firstValue("Docker-Content-Digest")).hasValue(expected.toString());
        assertThat(registry.location(put)).isEqualTo("/v2/library/app/manifests/" + expected);

        // What platform-api does to resolve a tag.
        HttpResponse<byte[]> head = registry.head("/v2/library/app/manifests/v1", "Accept", PLATFORM_API_ACCEPT);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(expected.toString());
        assertThat(head.headers().firstValue("Content-Type")).hasValue(OCI_MANIFEST);

        for (String reference : List.of("v1", expected.toString())) {
            HttpResponse<byte[]> get = registry.get("/v2/library/app/manifests/" + reference, "Accept", PLATFORM_API_ACCEPT);
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(manifest);
            assertThat(get.headers().firstValue("Content-Type")).hasValue(OCI_MANIFEST);
            assertThat(get.headers().firstValue("Docker-Content-Digest")).hasValue(expected.toString());
        }

        // Putting by digest must match the content.
        HttpResponse<byte[]> wrong = registry.put("/v2/library/app/manifests/sha256:" + "1".repeat(64), manifest,
                "Content-Type", OCI_MANIFEST);
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(errorCode(wrong)).isEqualTo("DIGEST_INVALID");
        assertThat(registry.put("/v2/library/app/manifests/" + expected, manifest, "Content-Type", OCI_MANIFEST).statusCode())
                .isEqualTo(201);

        JsonNode tags = json.readTree(registry.get("/v2/library/app/tags/list").body());
        assertThat(tags.get("tags").get(0).asString()).isEqualTo("v1");

        // Retagging moves the tag to the new digest.
        byte[] other = imageManifest(OCI_MANIFEST, config, configBytes.length, layer, layerBytes.length + 0L)
                .clone();
        other = new String(other, StandardCharsets.UTF_8).replace("\"schemaVersion\":2", "\"schemaVersion\":2,\"annotations\":{\"v\":\"2\"}")
                .getBytes(StandardCharsets.UTF_8);
        registry.put("/v2/library/app/manifests/v1", other, "Content-Type", OCI_MANIFEST);
        assertThat(registry.head("/v2/library/app/manifests/v1").headers().firstValue("Docker-Content-Digest"))
                .hasValue(Digest.of(other).toString());
    }

    @Test
    void crossRepositoryMountOfAKnownBlobIsGranted() {
        byte[] content = randomBytes(1000);
        Digest digest = pushBlob("source", content);
        HttpResponse<byte[]> mounted = registry.post("/v2/target/blobs/uploads/?mount=" + digest + "&from=source", null);
        assertThat(mounted.statusCode()).isEqualTo(201);
        assertThat(mounted.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());

        HttpResponse<byte[]> fresh = registry.post("/v2/target/blobs/uploads/?mount=" + Digest.of(randomBytes(5)) + "&from=source", null);
        assertThat(fresh.statusCode()).isEqualTo(202);
        assertThat(fresh.headers().firstValue("Docker-Upload-UUID")).isPresent();
    }

    @Test
    void unsupportedOperationsAre405() {
        HttpResponse<byte[]> delete = registry.send("DELETE", "/v2/x/blobs/sha256:" + "0".repeat(64), null);
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(errorCode(delete)).isEqualTo("UNSUPPORTED");
    }

    @Test
    void healthIncludesStorageAndMetricsCountBytes() {
        JsonNode health = json.readTree(registry.get("/actuator/health").body());
        assertThat(health.path("components").path("storage").path("status").asString()).isEqualTo("UP");

        pushBlob("metered", randomBytes(10_000));
        JsonNode received = json.readTree(registry.get("/actuator/metrics/atoll.registry.received").body());
        assertThat(received.path("measurements").path(0).path("value").asDouble()).isGreaterThanOrEqualTo(10_000);
    }

    @org.junit.jupiter.api.AfterAll
    static void removeStorage() {
        org.springframework.util.FileSystemUtils.deleteRecursively(ROOT.getParent().toFile());
    }

    // ---- helpers

    private Digest pushBlob(String repository, byte[] content) {
        Digest digest = Digest.of(content);
        HttpResponse<byte[]> response = registry.post("/v2/" + repository + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", OCTET);
        assertThat(response.statusCode()).isEqualTo(201);
        return digest;
    }

    private static byte[] imageManifest(String mediaType, Digest config, long configSize, Digest layer, long layerSize) {
        String layerType = mediaType.equals(DOCKER_V2) ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
                : "application/vnd.oci.image.layer.v1.tar+gzip";
        String configType = mediaType.equals(DOCKER_V2) ? "application/vnd.docker.container.image.v1+json"
                : "application/vnd.oci.image.config.v1+json";
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + mediaType + "\","
                + "\"config\":{\"mediaType\":\"" + configType + "\",\"size\":" + configSize + ",\"digest\":\"" + config + "\"},"
                + "\"layers\":[{\"mediaType\":\"" + layerType + "\",\"size\":" + layerSize + ",\"digest\":\"" + layer + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private String errorCode(HttpResponse<byte[]> response) {
        return json.readTree(response.body()).path("errors").path(0).path("code").asString();
    }

    private static List<Path> blobFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(ROOT.resolve("blobs"))) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random().nextBytes(bytes);
        return bytes;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("registry-api-test").resolve("storage");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
