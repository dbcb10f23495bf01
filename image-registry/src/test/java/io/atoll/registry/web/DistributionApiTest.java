package io.atoll.registry.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.RegistryClient;
import io.atoll.registry.TestFiles;
import io.atoll.registry.oci.Digest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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

    private static final Path ROOT = TestFiles.freshStorageRoot("registry-api-test");
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

    @Autowired
    io.atoll.registry.storage.RegistryStorage storage;

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
        byte[] content = TestFiles.randomBytes(300_000);
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
        byte[] one = TestFiles.randomBytes(5_000);
        HttpResponse<byte[]> post = registry.post("/v2/mono/blobs/uploads/?digest=" + Digest.of(one), one, "Content-Type", OCTET);
        assertThat(post.statusCode()).isEqualTo(201);
        assertThat(post.headers().firstValue("Docker-Content-Digest")).hasValue(Digest.of(one).toString());
        assertThat(registry.get("/v2/mono/blobs/" + Digest.of(one)).body()).isEqualTo(one);

        byte[] two = TestFiles.randomBytes(7_000);
        String location = registry.location(registry.post("/v2/mono/blobs/uploads/", null));
        HttpResponse<byte[]> put = registry.put(location + "?digest=" + Digest.of(two), two, "Content-Type", OCTET);
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/mono/blobs/" + Digest.of(two)).body()).isEqualTo(two);
    }

    @Test
    void digestMismatchIsRefusedAndLeavesNothingVisible() throws IOException {
        byte[] content = TestFiles.randomBytes(10_000);
        byte[] claimed = TestFiles.randomBytes(10);
        String location = registry.location(registry.post("/v2/mismatch/blobs/uploads/", null));
        registry.patch(location, content, "Content-Type", OCTET);

        HttpResponse<byte[]> put = registry.put(location + "?digest=" + Digest.of(claimed), null);
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(errorCode(put)).isEqualTo("DIGEST_INVALID");

        assertThat(registry.head("/v2/mismatch/blobs/" + Digest.of(claimed)).statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/mismatch/blobs/" + Digest.of(content)).statusCode()).isEqualTo(404);
        assertThat(registry.get(location).statusCode()).isEqualTo(404);
        assertThat(blobFiles()).doesNotContain(Digest.of(content).hex());

        // A monolithic POST with the wrong digest, likewise.
        HttpResponse<byte[]> post = registry.post("/v2/mismatch/blobs/uploads/?digest=" + Digest.of(claimed), content,
                "Content-Type", OCTET);
        assertThat(post.statusCode()).isEqualTo(400);
        assertThat(errorCode(post)).isEqualTo("DIGEST_INVALID");
        assertThat(registry.head("/v2/mismatch/blobs/" + Digest.of(claimed)).statusCode()).isEqualTo(404);
    }

    @Test
    void anUnfinishedUploadIsNeverVisibleAsABlob() throws IOException {
        byte[] content = TestFiles.randomBytes(50_000);
        Digest digest = Digest.of(content);
        String location = registry.location(registry.post("/v2/partial/blobs/uploads/", null));
        String next = registry.location(registry.patch(location, Arrays.copyOfRange(content, 0, 20_000), "Content-Type", OCTET));

        HttpResponse<byte[]> missing = registry.get("/v2/partial/blobs/" + digest);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(errorCode(missing)).isEqualTo("BLOB_UNKNOWN");
        assertThat(registry.head("/v2/partial/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(blobFiles()).doesNotContain(digest.hex());

        // Someone else's repository cannot touch the upload.
        HttpResponse<byte[]> foreign = registry.patch(next.replace("/v2/partial/", "/v2/other/"), new byte[] {1}, "Content-Type", OCTET);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(errorCode(foreign)).isEqualTo("BLOB_UPLOAD_UNKNOWN");

        registry.put(next + "?digest=" + digest, Arrays.copyOfRange(content, 20_000, 50_000), "Content-Type", OCTET);
        assertThat(registry.get("/v2/partial/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void invalidNamesAreRefusedBeforeStorage() {
        for (String name : List.of("../x", "a/../../x", "UPPER", "-x", "x-", "a..b", "a/_manifests", "demo/%2e%2e")) {
            HttpResponse<byte[]> manifests = registry.get("/v2/" + name + "/manifests/latest");
            assertThat(manifests.statusCode()).as(name).isEqualTo(400);
            assertThat(errorCode(manifests)).as(name).isEqualTo("NAME_INVALID");
            HttpResponse<byte[]> upload = registry.post("/v2/" + name + "/blobs/uploads/", null);
            assertThat(upload.statusCode()).as(name).isEqualTo(400);
            assertThat(errorCode(upload)).as(name).isEqualTo("NAME_INVALID");
        }
        // where "../x" and "a/../../x" would land; the subclasses share ROOT, and one may have deleted it
        assertThat(ROOT.getParent().resolve("x")).doesNotExist();
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
        Digest missing = Digest.of(TestFiles.randomBytes(32));
        byte[] manifest = imageManifest(DOCKER_V2, config, 2, missing, 10);
        HttpResponse<byte[]> response = registry.put("/v2/absent/manifests/1", manifest, "Content-Type", DOCKER_V2);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertThat(registry.head("/v2/absent/manifests/1").statusCode()).isEqualTo(404);
    }

    @Test
    void manifestsByTagAndByDigestReturnTheExactBytesAndType() throws IOException {
        byte[] configBytes = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layerBytes = TestFiles.randomBytes(4096);
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
        byte[] content = TestFiles.randomBytes(1000);
        Digest digest = pushBlob("source", content);
        HttpResponse<byte[]> mounted = registry.post("/v2/target/blobs/uploads/?mount=" + digest + "&from=source", null);
        assertThat(mounted.statusCode()).isEqualTo(201);
        assertThat(mounted.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
        assertThat(registry.get("/v2/target/blobs/" + digest).body()).isEqualTo(content);

        HttpResponse<byte[]> fresh = registry.post("/v2/target/blobs/uploads/?mount=" + Digest.of(TestFiles.randomBytes(5)) + "&from=source", null);
        assertThat(fresh.statusCode()).isEqualTo(202);
        assertThat(fresh.headers().firstValue("Docker-Upload-UUID")).isPresent();

        // The source must hold the blob: that it exists somewhere in the registry is not enough.
        HttpResponse<byte[]> elsewhere = registry.post("/v2/third/blobs/uploads/?mount=" + digest + "&from=unrelated", null);
        assertThat(elsewhere.statusCode()).isEqualTo(202);
        assertThat(registry.head("/v2/third/blobs/" + digest).statusCode()).isEqualTo(404);
    }

    /** Blob bytes are stored once, but each repository sees only the blobs it received. */
    @Test
    void blobsArePerRepository() {
        byte[] content = TestFiles.randomBytes(2000);
        Digest digest = pushBlob("held/one", content);
        assertThat(registry.get("/v2/held/one/blobs/" + digest).body()).isEqualTo(content);
        HttpResponse<byte[]> elsewhere = registry.get("/v2/held/two/blobs/" + digest);
        assertThat(elsewhere.statusCode()).isEqualTo(404);
        assertThat(errorCode(elsewhere)).isEqualTo("BLOB_UNKNOWN");
        assertThat(registry.head("/v2/held/two/blobs/" + digest).statusCode()).isEqualTo(404);

        Digest config = pushBlob("held/three", "{}".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> manifest = registry.put("/v2/held/three/manifests/1", imageManifest(OCI_MANIFEST, config, 2, digest, 2000),
                "Content-Type", OCI_MANIFEST);
        assertThat(errorCode(manifest)).isEqualTo("MANIFEST_BLOB_UNKNOWN");

        // Deleting through one repository removes it from that repository only.
        assertThat(registry.post("/v2/held/two/blobs/uploads/?mount=" + digest + "&from=held/one", null).statusCode()).isEqualTo(201);
        assertThat(registry.send("DELETE", "/v2/held/two/blobs/" + digest, null).statusCode()).isEqualTo(202);
        assertThat(errorCode(registry.get("/v2/held/two/blobs/" + digest))).isEqualTo("BLOB_UNKNOWN");
        assertThat(registry.get("/v2/held/one/blobs/" + digest).body()).isEqualTo(content);
        assertThat(storage.statBlob(digest)).as("the bytes stay for garbage collection to judge").isPresent();
    }

    /**
     * A body's first pieces go out one flushed write each (BlobWriter.RAMP, 4+8+16+32 KiB), then
     * write buffers: every length around those edges, whole and from a range starting inside
     * them, comes back byte for byte with its stated length.
     */
    @Test
    void blobsAroundTheFirstWritesEdgesArriveWhole() {
        int ramp = Arrays.stream(BlobWriter.RAMP).sum();
        int lastCut = ramp - BlobWriter.RAMP[BlobWriter.RAMP.length - 1];
        byte[] all = TestFiles.randomBytes(ramp + (64 << 10) + 1);
        for (int length : new int[] {1, 4095, 4096, 4097, 12288, 12289, lastCut, ramp - 1, ramp, ramp + 1, all.length}) {
            byte[] content = Arrays.copyOf(all, length);
            String path = "/v2/edges/blobs/" + pushBlob("edges", content);
            HttpResponse<byte[]> get = registry.get(path);
            assertThat(get.statusCode()).as("length %d", length).isEqualTo(200);
            assertThat(get.headers().firstValue("Content-Length")).as("length %d", length).hasValue(Integer.toString(length));
            assertThat(get.body()).as("length %d", length).isEqualTo(content);
            if (length > 4097) {
                HttpResponse<byte[]> ranged = registry.get(path, "Range", "bytes=4097-");
                assertThat(ranged.statusCode()).as("range of length %d", length).isEqualTo(206);
                assertThat(ranged.body()).as("range of length %d", length).isEqualTo(Arrays.copyOfRange(content, 4097, length));
            }
        }
    }

    /** RFC 9110 §14 for blob GETs: positions of any length, unsatisfiable ranges 416 with the spec body. */
    @Test
    void rangesOfAnyLengthAre206Or416NeverA500() {
        byte[] content = TestFiles.randomBytes(1000);
        Digest digest = pushBlob("ranged", content);
        String path = "/v2/ranged/blobs/" + digest;
        record Case(String range, int status, String contentRange, int from, int to) {
        }
        List<Case> cases = List.of(
                new Case("bytes=0-9", 206, "bytes 0-9/1000", 0, 10),
                new Case("bytes=990-", 206, "bytes 990-999/1000", 990, 1000),
                new Case("bytes=-10", 206, "bytes 990-999/1000", 990, 1000),
                new Case("bytes=-99999999999999999999", 206, "bytes 0-999/1000", 0, 1000),
                new Case("bytes=0-99999999999999999999", 206, "bytes 0-999/1000", 0, 1000),
                new Case("bytes=00000000000000000000000000005-6", 206, "bytes 5-6/1000", 5, 7),
                new Case("bytes=99999999999999999999-", 416, "bytes */1000", 0, 0),
                new Case("bytes=1000-", 416, "bytes */1000", 0, 0),
                new Case("bytes=-0", 416, "bytes */1000", 0, 0),
                new Case("bytes=5-2", 416, "bytes */1000", 0, 0),
                // Not one byte range: ignored, the whole blob, as RFC 9110 allows.
                new Case("bytes=0-1,3-4", 200, null, 0, 1000),
                new Case("bytes=garbage", 200, null, 0, 1000),
                new Case("items=0-1", 200, null, 0, 1000));
        for (Case c : cases) {
            HttpResponse<byte[]> get = registry.get(path, "Range", c.range());
            assertThat(get.statusCode()).as(c.range()).isEqualTo(c.status());
            assertThat(get.headers().firstValue("Content-Range")).as(c.range()).isEqualTo(java.util.Optional.ofNullable(c.contentRange()));
            if (c.status() == 416) {
                assertThat(errorCode(get)).as(c.range()).isEqualTo("SIZE_INVALID");
                assertThat(get.headers().firstValue("Content-Type")).hasValue("application/json");
                assertThat(get.headers().firstValue("ETag")).isEmpty();
            } else {
                assertThat(get.body()).as(c.range()).isEqualTo(Arrays.copyOfRange(content, c.from(), c.to()));
            }
            assertThat(registry.head(path, "Range", c.range()).statusCode()).as("HEAD " + c.range()).isEqualTo(c.status());
        }
    }

    /** The spec's chunk ranges: out of order or impossible is 416 BLOB_UPLOAD_INVALID, a length that disagrees 400 SIZE_INVALID. */
    @Test
    void chunkRangesOfAnyLengthAre416AndLeaveTheUploadAsItWas() {
        byte[] content = TestFiles.randomBytes(10);
        String location = registry.location(registry.post("/v2/chunks/blobs/uploads/", null));
        for (String range : List.of("99999999999999999999-99999999999999999999", "0-99999999999999999999", "5-2", "1-5", "-1-4",
                "0-", "a-b", "18446744073709551616-18446744073709551620")) {
            HttpResponse<byte[]> patch = registry.patch(location, Arrays.copyOf(content, 5), octetWithRange(range));
            assertThat(patch.statusCode()).as(range).isEqualTo(416);
            assertThat(errorCode(patch)).as(range).isEqualTo("BLOB_UPLOAD_INVALID");
        }
        HttpResponse<byte[]> tooLong = registry.patch(location, Arrays.copyOf(content, 5), octetWithRange("0-9"));
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(errorCode(tooLong)).isEqualTo("SIZE_INVALID");
        assertThat(registry.get(location).headers().firstValue("Range")).as("nothing was stored").hasValue("0-0");

        assertThat(registry.patch(location, Arrays.copyOf(content, 5), octetWithRange("0-4")).statusCode()).isEqualTo(202);
        // The closing PUT's chunk is held to the same rule.
        HttpResponse<byte[]> outOfOrder = registry.put(location + "?digest=" + Digest.of(content), Arrays.copyOfRange(content, 5, 10),
                octetWithRange("6-10"));
        assertThat(outOfOrder.statusCode()).isEqualTo(416);
        assertThat(errorCode(outOfOrder)).isEqualTo("BLOB_UPLOAD_INVALID");
        HttpResponse<byte[]> done = registry.put(location + "?digest=" + Digest.of(content), Arrays.copyOfRange(content, 5, 10),
                octetWithRange("bytes 5-9/10"));
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/chunks/blobs/" + Digest.of(content)).body()).isEqualTo(content);
    }

    private static String[] octetWithRange(String range) {
        return new String[] {"Content-Type", OCTET, "Content-Range", range};
    }

    /** What Tomcat or Spring would answer on their own (HTML pages, Spring's JSON) is the spec's body too. */
    @Test
    void refusalsBeforeTheRegistryCodeStillUseTheSpecBody() throws IOException {
        record Case(String request, int status, String code) {
        }
        List<Case> cases = List.of(
                new Case("GET /v2/a%00b/tags/list HTTP/1.1", 400, "UNSUPPORTED"),
                new Case("GET /v2/a b/tags/list HTTP/1.1", 400, "UNSUPPORTED"),
                new Case("GET /v2/ HTTP/1.2", 400, "UNSUPPORTED"),
                new Case("GET /v2/ HTTP/9.9", 400, "UNSUPPORTED"),
                new Case("CONNECT registry:443 HTTP/1.1", 405, "UNSUPPORTED"),
                new Case("TRACE /v2/ HTTP/1.1", 405, "UNSUPPORTED"),
                new Case("GET / HTTP/1.1", 404, "UNSUPPORTED"),
                new Case("GET /../../etc/passwd HTTP/1.1", 400, "UNSUPPORTED"),
                new Case("GET /actuator/health/..%2f..%2fregistrygc HTTP/1.1", 400, "UNSUPPORTED"),
                new Case("GET /v2/a/tags/list HTTP/1.1\r\nX-Huge: " + "x".repeat(9000), 400, "UNSUPPORTED"),
                new Case("POST /v2/a/blobs/uploads/ HTTP/1.1\r\nTransfer-Encoding: gzip", 400, "UNSUPPORTED"),
                new Case("POST /v2/a/blobs/uploads/ HTTP/1.1\r\nContent-Length: 99999999999999999999", 400, "UNSUPPORTED"));
        for (Case c : cases) {
            try (io.atoll.registry.RawHttp http = new io.atoll.registry.RawHttp(port)) {
                http.send((c.request() + "\r\nHost: registry\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                io.atoll.registry.RawHttp.Response response = http.read(false).orElseThrow();
                String what = c.request().substring(0, Math.min(60, c.request().length()));
                assertThat(response.status()).as(what).isEqualTo(c.status());
                assertThat(response.header("Content-Type")).as(what).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
                assertThat(json.readTree(response.body()).path("errors").path(0).path("code").asString()).as(what).isEqualTo(c.code());
            }
        }
    }

    @Test
    void unsupportedOperationsAre405() {
        HttpResponse<byte[]> post = registry.post("/v2/x/tags/list", null);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(errorCode(post)).isEqualTo("UNSUPPORTED");
    }

    @Test
    void deletingTagsManifestsAndBlobs() {
        byte[] configBytes = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layerBytes = TestFiles.randomBytes(2048);
        Digest config = pushBlob("deleting/app", configBytes);
        Digest layer = pushBlob("deleting/app", layerBytes);
        byte[] manifest = imageManifest(OCI_MANIFEST, config, configBytes.length, layer, layerBytes.length);
        Digest digest = Digest.of(manifest);
        for (String tag : List.of("v1", "v2", "latest")) {
            assertThat(registry.put("/v2/deleting/app/manifests/" + tag, manifest, "Content-Type", OCI_MANIFEST).statusCode()).isEqualTo(201);
        }

        // A blob one of the repository's manifests still needs is not removed from it.
        HttpResponse<byte[]> referenced = registry.send("DELETE", "/v2/deleting/app/blobs/" + layer, null);
        assertThat(referenced.statusCode()).isEqualTo(403);
        assertThat(errorCode(referenced)).isEqualTo("DENIED");
        assertThat(registry.head("/v2/deleting/app/blobs/" + layer).statusCode()).isEqualTo(200);

        // By tag: only the tag goes.
        assertThat(registry.send("DELETE", "/v2/deleting/app/manifests/v2", null).statusCode()).isEqualTo(202);
        assertThat(errorCode(registry.get("/v2/deleting/app/manifests/v2"))).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(registry.get("/v2/deleting/app/manifests/v1").statusCode()).isEqualTo(200);
        assertThat(tagsOf("/v2/deleting/app/tags/list")).containsExactly("latest", "v1");
        assertThat(errorCode(registry.send("DELETE", "/v2/deleting/app/manifests/v2", null))).isEqualTo("MANIFEST_UNKNOWN");

        // By digest: the manifest and every tag pointing at it.
        assertThat(registry.send("DELETE", "/v2/deleting/app/manifests/" + digest, null).statusCode()).isEqualTo(202);
        assertThat(errorCode(registry.get("/v2/deleting/app/manifests/" + digest))).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(errorCode(registry.head("/v2/deleting/app/manifests/v1").statusCode() == 404 ? registry.get("/v2/deleting/app/manifests/v1")
                : null)).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(tagsOf("/v2/deleting/app/tags/list")).isEmpty();

        // Now nothing needs the layer.
        HttpResponse<byte[]> deleted = registry.send("DELETE", "/v2/deleting/app/blobs/" + layer, null);
        assertThat(deleted.statusCode()).isEqualTo(202);
        assertThat(errorCode(registry.get("/v2/deleting/app/blobs/" + layer))).isEqualTo("BLOB_UNKNOWN");
        assertThat(errorCode(registry.send("DELETE", "/v2/deleting/app/blobs/" + layer, null))).isEqualTo("BLOB_UNKNOWN");
    }

    @Test
    void tagsAndCatalogPaginateWithLinkHeaders() {
        Digest config = pushBlob("paged/app", "{}".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = imageManifest(OCI_MANIFEST, config, 2, config, 2);
        for (String tag : List.of("e", "a", "c", "b", "d")) {
            registry.put("/v2/paged/app/manifests/" + tag, manifest, "Content-Type", OCI_MANIFEST);
        }
        for (String name : List.of("paged/one", "paged/two")) {
            pushBlob(name, "{}".getBytes(StandardCharsets.UTF_8));
            registry.put("/v2/" + name + "/manifests/1", manifest, "Content-Type", OCI_MANIFEST);
        }

        HttpResponse<byte[]> first = registry.get("/v2/paged/app/tags/list?n=2");
        assertThat(tags(first)).containsExactly("a", "b");
        assertThat(first.headers().firstValue("Link")).hasValue("</v2/paged/app/tags/list?n=2&last=b>; rel=\"next\"");
        HttpResponse<byte[]> second = registry.get(next(first));
        assertThat(tags(second)).containsExactly("c", "d");
        HttpResponse<byte[]> third = registry.get(next(second));
        assertThat(tags(third)).containsExactly("e");
        assertThat(third.headers().firstValue("Link")).isEmpty();
        assertThat(tags(registry.get("/v2/paged/app/tags/list?last=c"))).containsExactly("d", "e");
        assertThat(tags(registry.get("/v2/paged/app/tags/list?n=0"))).isEmpty();

        List<String> all = List.copyOf(strings(json.readTree(registry.get("/v2/_catalog").body()).get("repositories")));
        assertThat(all).contains("paged/app", "paged/one", "paged/two").isSorted();
        List<String> walked = new java.util.ArrayList<>();
        String page = "/v2/_catalog?n=1";
        while (page != null) {
            HttpResponse<byte[]> response = registry.get(page);
            assertThat(response.statusCode()).isEqualTo(200);
            List<String> names = strings(json.readTree(response.body()).get("repositories"));
            assertThat(names).hasSizeLessThanOrEqualTo(1);
            walked.addAll(names);
            page = response.headers().firstValue("Link").isPresent() ? next(response) : null;
        }
        assertThat(walked).isEqualTo(all);
    }

    @Test
    void referrersListManifestsWhoseSubjectIsTheDigest() {
        byte[] configBytes = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        Digest config = pushBlob("refs/app", configBytes);
        byte[] image = imageManifest(OCI_MANIFEST, config, configBytes.length, config, configBytes.length);
        Digest imageDigest = Digest.of(image);
        registry.put("/v2/refs/app/manifests/1", image, "Content-Type", OCI_MANIFEST);
        Digest empty = pushBlob("refs/app", "{}".getBytes(StandardCharsets.UTF_8));

        // An artifact may arrive before its subject; a signature and an SBOM of the image.
        String subject = "\"subject\":{\"mediaType\":\"" + OCI_MANIFEST + "\",\"size\":" + image.length + ",\"digest\":\"" + imageDigest + "\"}";
        byte[] signature = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"artifactType\":\"application/vnd.example.sig\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"size\":2,\"digest\":\"" + empty + "\"},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"size\":2,\"digest\":\"" + empty + "\"}],"
                + subject + ",\"annotations\":{\"org.example\":\"yes\"}}").getBytes(StandardCharsets.UTF_8);
        byte[] sbom = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.example.sbom\",\"size\":2,\"digest\":\"" + empty + "\"},"
                + "\"layers\":[]," + subject + "}").getBytes(StandardCharsets.UTF_8);
        for (byte[] artifact : List.of(signature, sbom)) {
            HttpResponse<byte[]> put = registry.put("/v2/refs/app/manifests/" + Digest.of(artifact), artifact, "Content-Type", OCI_MANIFEST);
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(put.headers().firstValue("OCI-Subject")).hasValue(imageDigest.toString());
        }
        assertThat(registry.put("/v2/refs/app/manifests/2", image, "Content-Type", OCI_MANIFEST).headers().firstValue("OCI-Subject")).isEmpty();

        HttpResponse<byte[]> all = registry.get("/v2/refs/app/referrers/" + imageDigest);
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(all.headers().firstValue("Content-Type")).hasValue("application/vnd.oci.image.index.v1+json");
        JsonNode index = json.readTree(all.body());
        assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);
        assertThat(index.path("manifests")).hasSize(2);
        assertThat(strings(index.path("manifests").findValues("artifactType")))
                .containsExactlyInAnyOrder("application/vnd.example.sig", "application/vnd.example.sbom");
        JsonNode sig = json.readTree(registry.get("/v2/refs/app/referrers/" + imageDigest + "?artifactType=application/vnd.example.sig").body());
        assertThat(sig.path("manifests")).hasSize(1);
        assertThat(sig.path("manifests").path(0).path("digest").asString()).isEqualTo(Digest.of(signature).toString());
        assertThat(sig.path("manifests").path(0).path("size").asInt()).isEqualTo(signature.length);
        assertThat(sig.path("manifests").path(0).path("annotations").path("org.example").asString()).isEqualTo("yes");
        assertThat(registry.get("/v2/refs/app/referrers/" + imageDigest + "?artifactType=application/vnd.example.sig")
                .headers().firstValue("OCI-Filters-Applied")).hasValue("artifactType");

        // Never a 404, even for a repository or subject the registry does not know.
        HttpResponse<byte[]> none = registry.get("/v2/refs/nothing/referrers/" + Digest.of(TestFiles.randomBytes(8)));
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(json.readTree(none.body()).path("manifests")).isEmpty();
    }

    @Test
    void indexesAndManifestListsAreStoredAndNegotiatedByAccept() {
        String ociIndex = "application/vnd.oci.image.index.v1+json";
        String dockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
        byte[] configBytes = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        Digest config = pushBlob("multi/app", configBytes);
        byte[] amd64 = imageManifest(DOCKER_V2, config, configBytes.length, config, configBytes.length);
        byte[] arm64 = new String(imageManifest(DOCKER_V2, config, configBytes.length, config, configBytes.length), StandardCharsets.UTF_8)
                .replace("\"schemaVersion\":2", "\"schemaVersion\":2 ").getBytes(StandardCharsets.UTF_8);
        for (byte[] child : List.of(amd64, arm64)) {
            assertThat(registry.put("/v2/multi/app/manifests/" + Digest.of(child), child, "Content-Type", DOCKER_V2).statusCode()).isEqualTo(201);
        }
        for (String type : List.of(ociIndex, dockerList)) {
            String childType = type.equals(ociIndex) ? OCI_MANIFEST : DOCKER_V2;
            byte[] list = ("{\"schemaVersion\":2,\"mediaType\":\"" + type + "\",\"manifests\":["
                    + platform(childType, amd64, "amd64") + "," + platform(childType, arm64, "arm64") + "]}").getBytes(StandardCharsets.UTF_8);
            String tag = type.equals(ociIndex) ? "oci" : "docker";
            HttpResponse<byte[]> put = registry.put("/v2/multi/app/manifests/" + tag, list, "Content-Type", type);
            assertThat(put.statusCode()).as(type).isEqualTo(201);

            HttpResponse<byte[]> get = registry.get("/v2/multi/app/manifests/" + tag, "Accept", PLATFORM_API_ACCEPT);
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValue("Content-Type")).hasValue(type);
            assertThat(get.body()).isEqualTo(list);
            // A client that understands only single-image manifests is told there is none it can read.
            HttpResponse<byte[]> refused = registry.get("/v2/multi/app/manifests/" + tag, "Accept", DOCKER_V2 + ", " + OCI_MANIFEST);
            assertThat(refused.statusCode()).isEqualTo(404);
            assertThat(errorCode(refused)).isEqualTo("MANIFEST_UNKNOWN");
            assertThat(registry.get("/v2/multi/app/manifests/" + tag, "Accept", "*/*").statusCode()).isEqualTo(200);
            // Docker sends one Accept header per type.
            assertThat(registry.get("/v2/multi/app/manifests/" + tag, "Accept", DOCKER_V2, "Accept", type).statusCode()).isEqualTo(200);
            assertThat(registry.get("/v2/multi/app/manifests/" + tag, "Accept", "application/json").statusCode()).isEqualTo(200);
        }
    }

    private record Bad(String what, String method, String path, byte[] body, List<String> headers, int status, String code) {
    }

    /** Issue 3's acceptance table: each kind of bad input gets the spec's error code and a 4xx, never a 500. */
    @Test
    void badInputGetsTheSpecErrorCodeAndA4xx() {
        byte[] configBytes = "{}".getBytes(StandardCharsets.UTF_8);
        Digest config = pushBlob("bad/app", configBytes);
        Digest absent = Digest.of(TestFiles.randomBytes(16));
        byte[] valid = imageManifest(OCI_MANIFEST, config, 2, config, 2);
        String upload = registry.location(registry.post("/v2/bad/app/blobs/uploads/", null));
        String zeros = "sha256:" + "0".repeat(64);
        List<String> oci = List.of("Content-Type", OCI_MANIFEST);
        List<String> octet = List.of("Content-Type", OCTET);
        byte[] oversize = new byte[4 * 1024 * 1024 + 1];
        Arrays.fill(oversize, (byte) ' ');
        System.arraycopy(valid, 0, oversize, 0, valid.length);

        List<Bad> table = List.of(
                new Bad("upper-case name", "GET", "/v2/Bad/app/tags/list", null, List.of(), 400, "NAME_INVALID"),
                new Bad("path traversal in name", "GET", "/v2/bad/../etc/manifests/1", null, List.of(), 400, "NAME_INVALID"),
                new Bad("encoded traversal", "POST", "/v2/bad/%2e%2e/blobs/uploads/", null, List.of(), 400, "NAME_INVALID"),
                new Bad("name too long", "GET", "/v2/" + "a".repeat(256) + "/tags/list", null, List.of(), 400, "NAME_INVALID"),
                new Bad("malformed digest", "GET", "/v2/bad/app/blobs/sha256:xyz", null, List.of(), 400, "DIGEST_INVALID"),
                new Bad("unsupported algorithm", "HEAD", "/v2/bad/app/blobs/sha512:" + "0".repeat(128), null, List.of(), 400, null),
                new Bad("monolithic upload, wrong digest", "POST", "/v2/bad/app/blobs/uploads/?digest=" + zeros,
                        TestFiles.randomBytes(100), octet, 400, "DIGEST_INVALID"),
                new Bad("upload completed without digest", "PUT", upload, TestFiles.randomBytes(10), octet, 400, "DIGEST_INVALID"),
                new Bad("malformed Content-Range", "PATCH", upload, TestFiles.randomBytes(10), List.of("Content-Type", OCTET, "Content-Range", "x-y"),
                        416, "BLOB_UPLOAD_INVALID"),
                new Bad("unknown upload", "PATCH", "/v2/bad/app/blobs/uploads/" + java.util.UUID.randomUUID(), TestFiles.randomBytes(10), octet,
                        404, "BLOB_UPLOAD_UNKNOWN"),
                new Bad("upload id that is not a UUID", "PATCH", "/v2/bad/app/blobs/uploads/not-an-id", TestFiles.randomBytes(10), octet,
                        404, "BLOB_UPLOAD_UNKNOWN"),
                new Bad("encoded slashes in an upload id", "PATCH", "/v2/bad/app/blobs/uploads/..%2F..%2Fetc", TestFiles.randomBytes(10), octet,
                        404, "UNSUPPORTED"),
                new Bad("encoded backslash in a name", "GET", "/v2/bad%5Capp/tags/list", null, List.of(), 400, "NAME_INVALID"),
                new Bad("manifest not JSON", "PUT", "/v2/bad/app/manifests/1", bytes("{oops"), oci, 400, "MANIFEST_INVALID"),
                new Bad("manifest schema 1", "PUT", "/v2/bad/app/manifests/1", bytes("{\"schemaVersion\":1}"), oci, 400, "MANIFEST_INVALID"),
                new Bad("manifest without config", "PUT", "/v2/bad/app/manifests/1", bytes("{\"schemaVersion\":2,\"layers\":[]}"), oci,
                        400, "MANIFEST_INVALID"),
                new Bad("descriptor with a bad digest", "PUT", "/v2/bad/app/manifests/1",
                        bytes("{\"schemaVersion\":2,\"config\":{\"digest\":\"md5:1\"},\"layers\":[]}"), oci, 400, "MANIFEST_INVALID"),
                new Bad("layers not an array", "PUT", "/v2/bad/app/manifests/1",
                        bytes("{\"schemaVersion\":2,\"config\":{\"digest\":\"" + config + "\"},\"layers\":{}}"), oci, 400, "MANIFEST_INVALID"),
                new Bad("malformed subject", "PUT", "/v2/bad/app/manifests/1",
                        bytes("{\"schemaVersion\":2,\"config\":{\"digest\":\"" + config + "\"},\"layers\":[],\"subject\":\"x\"}"), oci,
                        400, "MANIFEST_INVALID"),
                new Bad("Content-Type contradicts mediaType", "PUT", "/v2/bad/app/manifests/1", valid, List.of("Content-Type", DOCKER_V2),
                        400, "MANIFEST_INVALID"),
                new Bad("invalid tag", "PUT", "/v2/bad/app/manifests/-tag", valid, oci, 400, "MANIFEST_INVALID"),
                new Bad("image manifest that carries manifests too", "PUT", "/v2/bad/app/manifests/1",
                        bytes("{\"schemaVersion\":2,\"manifests\":[],\"config\":{\"digest\":\"" + absent + "\"},\"layers\":[]}"), oci,
                        400, "MANIFEST_INVALID"),
                new Bad("index that carries layers", "PUT", "/v2/bad/app/manifests/1",
                        bytes("{\"schemaVersion\":2,\"layers\":[{\"digest\":\"" + absent + "\"}]}"),
                        List.of("Content-Type", "application/vnd.oci.image.index.v1+json"), 400, "MANIFEST_INVALID"),
                new Bad("manifest naming an absent blob", "PUT", "/v2/bad/app/manifests/1",
                        imageManifest(OCI_MANIFEST, config, 2, absent, 5), oci, 400, "MANIFEST_BLOB_UNKNOWN"),
                new Bad("index naming an absent manifest", "PUT", "/v2/bad/app/manifests/1",
                        bytes("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + OCI_MANIFEST + "\",\"size\":1,\"digest\":\"" + absent + "\"}]}"),
                        List.of("Content-Type", "application/vnd.oci.image.index.v1+json"), 400, "MANIFEST_BLOB_UNKNOWN"),
                new Bad("manifest under the wrong digest", "PUT", "/v2/bad/app/manifests/" + zeros, valid, oci, 400, "DIGEST_INVALID"),
                new Bad("oversize manifest", "PUT", "/v2/bad/app/manifests/big", oversize, oci, 413, "SIZE_INVALID"),
                new Bad("unknown repository", "GET", "/v2/bad/nothing/manifests/1", null, List.of(), 404, "NAME_UNKNOWN"),
                new Bad("unknown tag", "GET", "/v2/bad/app/manifests/nope", null, List.of(), 404, "MANIFEST_UNKNOWN"),
                new Bad("deleting an unknown manifest", "DELETE", "/v2/bad/app/manifests/" + zeros, null, List.of(), 404, "MANIFEST_UNKNOWN"),
                new Bad("referrers of a malformed digest", "GET", "/v2/bad/app/referrers/latest", null, List.of(), 400, "DIGEST_INVALID"),
                new Bad("negative page size", "GET", "/v2/bad/app/tags/list?n=-1", null, List.of(), 400, "PAGINATION_NUMBER_INVALID"),
                new Bad("page size not a number", "GET", "/v2/_catalog?n=ten", null, List.of(), 400, "PAGINATION_NUMBER_INVALID"),
                new Bad("unknown endpoint", "GET", "/v2/bad/app/whatever", null, List.of(), 404, "UNSUPPORTED"),
                new Bad("wrong method", "PATCH", "/v2/bad/app/manifests/1", bytes("{}"), List.of(), 405, "UNSUPPORTED"));
        // A valid manifest first, so that "unknown tag" and "wrong digest" are about the reference, not the repository.
        assertThat(registry.put("/v2/bad/app/manifests/good", valid, "Content-Type", OCI_MANIFEST).statusCode()).isEqualTo(201);

        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        for (Bad bad : table) {
            HttpResponse<byte[]> response = registry.send(bad.method(), bad.path(), bad.body(), bad.headers().toArray(String[]::new));
            String body = new String(response.body(), StandardCharsets.UTF_8);
            soft.assertThat(response.statusCode()).as(bad.what() + ": " + body).isEqualTo(bad.status());
            if (bad.code() != null) {
                soft.assertThat(body).as(bad.what()).startsWith("{");
                if (body.startsWith("{")) {
                    soft.assertThat(errorCode(response)).as(bad.what()).isEqualTo(bad.code());
                }
            }
        }
        soft.assertAll();
        assertThat(tagsOf("/v2/bad/app/tags/list")).containsExactly("good");
    }

    @Test
    void healthIncludesStorageAndMetricsCountBytes() {
        JsonNode health = json.readTree(registry.get("/actuator/health").body());
        assertThat(health.path("components").path("storage").path("status").asString()).isEqualTo("UP");

        pushBlob("metered", TestFiles.randomBytes(10_000));
        JsonNode received = json.readTree(registry.get("/actuator/metrics/atoll.registry.received").body());
        assertThat(received.path("measurements").path(0).path("value").asDouble()).isGreaterThanOrEqualTo(10_000);

        JsonNode uploads = json.readTree(registry.get("/actuator/metrics/atoll.registry.requests?tag=operation:uploads_post&tag=status:201").body());
        assertThat(uploads.path("measurements").findValues("statistic").toString()).contains("COUNT");
        assertThat(uploads.path("measurements").path(0).path("value").asDouble()).isGreaterThanOrEqualTo(1);
        registry.get("/v2/metered/manifests/nope");
        JsonNode misses = json.readTree(registry.get("/actuator/metrics/atoll.registry.requests?tag=operation:manifest_get&tag=status:404").body());
        assertThat(misses.path("measurements").path(0).path("value").asDouble()).isGreaterThanOrEqualTo(1);
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

    private static String platform(String mediaType, byte[] manifest, String architecture) {
        return "{\"mediaType\":\"" + mediaType + "\",\"size\":" + manifest.length + ",\"digest\":\"" + Digest.of(manifest)
                + "\",\"platform\":{\"architecture\":\"" + architecture + "\",\"os\":\"linux\"}}";
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private List<String> tagsOf(String path) {
        return tags(registry.get(path));
    }

    private List<String> tags(HttpResponse<byte[]> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        return strings(json.readTree(response.body()).get("tags"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> result = new java.util.ArrayList<>();
        array.forEach(node -> result.add(node.asString()));
        return result;
    }

    private static List<String> strings(List<JsonNode> nodes) {
        return nodes.stream().map(JsonNode::asString).toList();
    }

    /** The path of a Link: <…>; rel="next" header. */
    private static String next(HttpResponse<byte[]> response) {
        String link = response.headers().firstValue("Link").orElseThrow(() -> new AssertionError("no Link header"));
        return link.substring(link.indexOf('<') + 1, link.indexOf('>'));
    }

    private String errorCode(HttpResponse<byte[]> response) {
        if (response == null || response.body() == null || response.body().length == 0) {
            return "";
        }
        return json.readTree(response.body()).path("errors").path(0).path("code").asString();
    }

    /** What storage holds, asked of the backend itself so the same assertions hold on S3. */
    private List<String> blobFiles() {
        return storage.listBlobs().stream().map(b -> b.digest().hex()).toList();
    }
}
