package io.atoll.registry.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.RawHttp;
import io.atoll.registry.RegistryClient;
import io.atoll.registry.TestFiles;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
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
 * Issue 9's hostile-input suite for the registry: a corpus generated against every endpoint of
 * the Distribution API (ping, catalog, tags, manifests, blobs, uploads, mounts, referrers), each
 * crossed with what a client library would never send, written as raw bytes on a kept-alive
 * socket. Every answer must be below 500, every 4xx must carry the spec's JSON error body with
 * one of the spec's codes, and after every hostile request the same connection must answer a
 * plain {@code GET /v2/} with its own 200, unless the server closed it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("dev")
class HostileInputTest {

    private static final Path ROOT = TestFiles.freshStorageRoot("registry-hostile-test");
    private static final String APP = "hostile/app";
    // DELETEs go here, so that the corpus cannot delete what the other requests aim at.
    private static final String DEL = "hostile/del";
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    // The spec's codes plus PAGINATION_NUMBER_INVALID, the reference registry's; UNKNOWN goes only with a 5xx.
    private static final Set<String> SPEC_CODES = Arrays.stream(ErrorCode.values())
            .filter(code -> code != ErrorCode.UNKNOWN).map(Enum::name).collect(Collectors.toSet());
    private static final byte[] PING = ascii("GET /v2/ HTTP/1.1\r\nHost: registry\r\n\r\n");

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        registry.add("atoll.registry.storage.root", ROOT::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    JsonMapper json;

    @Autowired
    RegistryStorage storage;

    RegistryClient registry;
    Digest config;
    Digest layer;
    byte[] layerBytes;
    byte[] manifest;

    @BeforeEach
    void image() {
        registry = new RegistryClient(port);
        byte[] configBytes = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        layerBytes = TestFiles.randomBytes(3000);
        for (String name : List.of(APP, DEL)) {
            config = push(name, configBytes);
            layer = push(name, layerBytes);
        }
        manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":" + configBytes.length
                + ",\"digest\":\"" + config + "\"},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"size\":"
                + layerBytes.length + ",\"digest\":\"" + layer + "\"}]}").getBytes(StandardCharsets.UTF_8);
        for (String name : List.of(APP, DEL)) {
            assertThat(registry.put("/v2/" + name + "/manifests/good", manifest, "Content-Type", OCI_MANIFEST).statusCode())
                    .isEqualTo(201);
        }
    }

    /** One request of the corpus: what it tries, and its bytes (made when it runs: an upload id is fresh each time). */
    private record Case(String what, boolean head, Supplier<byte[]> bytes) {
    }

    @Test
    void everyEndpointAnswersHostileInputBelow500InTheSpecErrorFormatWithoutDesync() throws IOException {
        List<Case> corpus = corpus();
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int closed = 0;
        Instant started = Instant.now();
        RawHttp connection = new RawHttp(port);
        try {
            for (Case hostile : corpus) {
                byte[] request = hostile.bytes().get();
                Optional<RawHttp.Response> answer = exchange(connection, request, hostile.head());
                if (answer.isEmpty()) {
                    // Closed without an answer: allowed (a reset may swallow a 400 that was sent), and nothing can follow.
                    closed++;
                    connection = reconnect(connection);
                    continue;
                }
                RawHttp.Response response = answer.get();
                statuses.merge(response.status(), 1, Integer::sum);
                check(hostile, request, response, failures);
                Optional<RawHttp.Response> next = exchange(connection, PING, false);
                if (next.isEmpty()) {
                    closed++;
                    connection = reconnect(connection);
                } else if (next.get().status() != 200 || !next.get().text().equals("{}")) {
                    failures.add(describe(hostile, request) + "\n    desync: the next GET /v2/ on the connection got "
                            + next.get().status() + " " + abbreviate(next.get().text()));
                    connection = reconnect(connection);
                }
            }
        } finally {
            connection.close();
        }
        System.out.printf("hostile-input corpus: %d requests in %d ms, statuses %s, %d connections closed by the server%n",
                corpus.size(), Duration.between(started, Instant.now()).toMillis(), statuses, closed);
        assertThat(failures).as("%d of %d hostile requests", failures.size(), corpus.size()).isEmpty();
        assertThat(corpus.size()).as("the corpus covers every endpoint many times over").isGreaterThan(1500);

        // Nothing was written outside the storage root, and the image the corpus aimed at is intact.
        try (Stream<Path> files = Files.walk(ROOT.getParent())) {
            assertThat(files.filter(file -> !file.startsWith(ROOT) && !file.equals(ROOT.getParent()))).isEmpty();
        }
        assertThat(registry.get("/v2/" + APP + "/manifests/good").body()).isEqualTo(manifest);
        assertThat(registry.get("/v2/" + APP + "/blobs/" + layer).body()).isEqualTo(layerBytes);
    }

    /**
     * A body that ends before its Content-Length (the client stopped sending): the answer is the
     * spec's error, and an upload whose id the client never learnt (a monolithic POST) is gone at
     * once, while one it knows (PATCH, closing PUT) stays resumable at what arrived.
     */
    @Test
    void aBodyCutShortIsASpecErrorAndLeavesNoUploadNobodyKnows() throws Exception {
        byte[] content = TestFiles.randomBytes(100);
        Digest digest = Digest.of(content);
        RepositoryName cut = new RepositoryName("hostile/cut");

        RawHttp.Response monolithic = cutShort("POST /v2/hostile/cut/blobs/uploads/?digest=" + digest, content, 50);
        assertSpecError(monolithic, 400, "BLOB_UPLOAD_INVALID");
        assertThat(uploadsOf(cut)).as("the monolithic upload's id was never sent to the client").isEmpty();
        assertThat(registry.head("/v2/hostile/cut/blobs/" + digest).statusCode()).isEqualTo(404);

        // Gone without a word (the socket simply closes): the same, once the registry has noticed.
        try (RawHttp gone = new RawHttp(port)) {
            gone.send(ascii("POST /v2/hostile/gone/blobs/uploads/?digest=" + digest + " HTTP/1.1\r\nHost: registry\r\n"
                    + "Content-Length: 100\r\n\r\n"));
            gone.send(Arrays.copyOf(content, 30));
        }
        // The registry may not have created the upload yet when the socket closes: wait until it
        // has had a second to notice, and then until the upload is gone.
        long closedAt = System.nanoTime();
        long deadline = closedAt + Duration.ofSeconds(10).toNanos();
        while ((System.nanoTime() - closedAt < Duration.ofSeconds(1).toNanos()
                || !uploadsOf(new RepositoryName("hostile/gone")).isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(uploadsOf(new RepositoryName("hostile/gone"))).isEmpty();

        String location = registry.location(registry.post("/v2/hostile/cut/blobs/uploads/", null));
        RawHttp.Response patch = cutShort("PATCH " + location, content, 40);
        assertSpecError(patch, 400, "BLOB_UPLOAD_INVALID");
        HttpResponse<byte[]> status = registry.get(location);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-39");

        RawHttp.Response put = cutShort("PUT " + location + "?digest=" + digest, Arrays.copyOfRange(content, 40, 100), 20);
        assertSpecError(put, 400, "BLOB_UPLOAD_INVALID");
        assertThat(registry.get(location).headers().firstValue("Range")).hasValue("0-59");
        HttpResponse<byte[]> done = registry.put(location + "?digest=" + digest, Arrays.copyOfRange(content, 60, 100),
                "Content-Type", "application/octet-stream", "Content-Range", "60-99");
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(registry.get("/v2/hostile/cut/blobs/" + digest).body()).isEqualTo(content);

        RawHttp.Response manifestPut = cutShort("PUT /v2/hostile/cut/manifests/cut", manifest, 10);
        assertSpecError(manifestPut, 400, "MANIFEST_INVALID");

        try (RawHttp chunked = new RawHttp(port)) {
            chunked.send(ascii("PATCH " + registry.location(registry.post("/v2/hostile/cut/blobs/uploads/", null))
                    + " HTTP/1.1\r\nHost: registry\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n0123456789"));
            chunked.shutdownOutput();
            assertSpecError(chunked.read(false).orElseThrow(), 400, "BLOB_UPLOAD_INVALID");
        }
    }

    // ---- the corpus

    private List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        List<Endpoint> endpoints = endpoints();
        for (Endpoint endpoint : endpoints) {
            cases.add(endpoint.request("as a client would send it", Map.of(), "", null));
            for (String name : HOSTILE_NAMES) {
                if (endpoint.path().contains("{name}")) {
                    cases.add(endpoint.request("name " + name, Map.of("{name}", name), "", null));
                }
            }
            for (String reference : HOSTILE_REFERENCES) {
                if (endpoint.path().contains("{ref}")) {
                    cases.add(endpoint.request("reference " + reference, Map.of("{ref}", reference), "", null));
                }
            }
            for (String digest : HOSTILE_DIGESTS) {
                if (endpoint.path().contains("{digest}")) {
                    cases.add(endpoint.request("digest " + digest, Map.of("{digest}", digest), "", null));
                }
            }
            for (String id : HOSTILE_UPLOAD_IDS) {
                if (endpoint.path().contains("{upload}")) {
                    cases.add(endpoint.request("upload id " + id, Map.of("{upload}", id), "", null));
                }
            }
            for (String header : HOSTILE_HEADERS) {
                cases.add(endpoint.request("header " + header, Map.of(), header + "\r\n", null));
            }
            for (String length : HOSTILE_LENGTHS) {
                // One body byte: enough for any reading of these values that means "1", nothing left over for "0".
                cases.add(endpoint.raw("Content-Length " + length, "Content-Length: " + length + "\r\n", ascii("x")));
            }
            for (String method : HOSTILE_METHODS) {
                cases.add(endpoint.withMethod(method));
            }
        }
        Endpoint blobGet = endpoint(endpoints, "blob", "GET");
        Endpoint blobHead = endpoint(endpoints, "blob", "HEAD");
        for (String range : HOSTILE_RANGES) {
            cases.add(blobGet.request("Range " + range, Map.of(), "Range: " + range + "\r\n", null));
            cases.add(blobHead.request("Range " + range, Map.of(), "Range: " + range + "\r\n", null));
        }
        for (String range : HOSTILE_CONTENT_RANGES) {
            for (String method : List.of("PATCH", "PUT")) {
                cases.add(endpoint(endpoints, "upload", method).request("Content-Range " + range, Map.of(),
                        "Content-Range: " + range + "\r\nContent-Type: application/octet-stream\r\n", ascii("x")));
            }
        }
        Endpoint tags = endpoint(endpoints, "tags", "GET");
        Endpoint catalog = endpoint(endpoints, "catalog", "GET");
        for (String number : HOSTILE_NUMBERS) {
            for (Endpoint paged : List.of(tags, catalog)) {
                cases.add(paged.query("n=" + number));
                cases.add(paged.query("last=" + number));
                cases.add(paged.query("n=" + number + "&last=" + number));
            }
        }
        for (String query : HOSTILE_QUERIES) {
            for (Endpoint endpoint : endpoints) {
                if (endpoint.resource().startsWith("upload") || endpoint.resource().equals("mount")) {
                    cases.add(endpoint.query(query));
                }
            }
            cases.add(tags.query(query));
        }
        Endpoint manifestPut = endpoint(endpoints, "manifest", "PUT");
        for (String type : HOSTILE_MEDIA_TYPES) {
            cases.add(manifestPut.request("Content-Type " + type, Map.of(), "Content-Type: " + type + "\r\n", manifest));
            cases.add(endpoint(endpoints, "upload", "PATCH").request("Content-Type " + type, Map.of(),
                    "Content-Type: " + type + "\r\n", ascii("abc")));
            cases.add(endpoint(endpoints, "manifest", "GET").request("Accept " + type, Map.of(), "Accept: " + type + "\r\n", null));
        }
        for (Map.Entry<String, byte[]> body : hostileManifests().entrySet()) {
            for (String type : List.of(OCI_MANIFEST, "application/vnd.oci.image.index.v1+json", "application/json")) {
                cases.add(manifestPut.request(body.getKey() + " as " + type, Map.of(), "Content-Type: " + type + "\r\n", body.getValue()));
            }
        }
        for (String target : HOSTILE_TARGETS) {
            cases.add(new Case("target " + target, false, () -> utf8("GET " + target + " HTTP/1.1\r\nHost: registry\r\n\r\n")));
            cases.add(new Case("target " + target, false, () -> utf8("POST " + target + " HTTP/1.1\r\nHost: registry\r\nContent-Length: 0\r\n\r\n")));
        }
        for (Endpoint endpoint : List.of(endpoint(endpoints, "ping", "GET"), blobGet, endpoint(endpoints, "upload", "PATCH"),
                manifestPut)) {
            for (Map.Entry<String, String> framing : HOSTILE_FRAMING.entrySet()) {
                cases.add(endpoint.framed(framing.getKey(), framing.getValue()));
            }
        }
        return cases;
    }

    private static Endpoint endpoint(List<Endpoint> endpoints, String resource, String method) {
        return endpoints.stream().filter(e -> e.resource().equals(resource) && e.method().equals(method)).findFirst().orElseThrow();
    }

    private List<Endpoint> endpoints() {
        List<Endpoint> endpoints = new ArrayList<>();
        endpoints.add(new Endpoint("ping", "GET", "/v2/", null));
        endpoints.add(new Endpoint("ping", "HEAD", "/v2/", null));
        endpoints.add(new Endpoint("catalog", "GET", "/v2/_catalog", null));
        endpoints.add(new Endpoint("tags", "GET", "/v2/{name}/tags/list", null));
        for (String method : List.of("GET", "HEAD", "DELETE")) {
            endpoints.add(new Endpoint("manifest", method, "/v2/{name}/manifests/{ref}", null));
            endpoints.add(new Endpoint("blob", method, "/v2/{name}/blobs/{digest}", null));
        }
        endpoints.add(new Endpoint("manifest", "PUT", "/v2/{name}/manifests/{ref}", manifest));
        endpoints.add(new Endpoint("uploads", "POST", "/v2/{name}/blobs/uploads/", null));
        endpoints.add(new Endpoint("monolithic", "POST", "/v2/{name}/blobs/uploads/?digest={digest}", ascii("monolithic")));
        endpoints.add(new Endpoint("mount", "POST", "/v2/{name}/blobs/uploads/?mount={digest}&from=" + APP, null));
        endpoints.add(new Endpoint("upload", "GET", "/v2/{name}/blobs/uploads/{upload}", null));
        endpoints.add(new Endpoint("upload", "PATCH", "/v2/{name}/blobs/uploads/{upload}", ascii("chunk")));
        endpoints.add(new Endpoint("upload", "PUT", "/v2/{name}/blobs/uploads/{upload}?digest={digest}", ascii("last")));
        endpoints.add(new Endpoint("upload", "DELETE", "/v2/{name}/blobs/uploads/{upload}", null));
        endpoints.add(new Endpoint("referrers", "GET", "/v2/{name}/referrers/{digest}?artifactType=x", null));
        return endpoints;
    }

    /** A method and path with placeholders; the defaults make a request the registry accepts. */
    private record Endpoint(String resource, String method, String path, byte[] body, Supplier<String> uploadId) {

        Endpoint(String resource, String method, String path, byte[] body) {
            this(resource, method, path, body, null);
        }

        Case request(String what, Map<String, String> substitutions, String headers, byte[] overrideBody) {
            byte[] body = overrideBody != null ? overrideBody : this.body;
            return new Case(resource + " " + method + ": " + what, method.equals("HEAD"), () -> {
                String target = target(substitutions, method);
                String contentType = body != null && !headers.contains("Content-Type")
                        ? "Content-Type: " + (resource.equals("manifest") ? OCI_MANIFEST : "application/octet-stream") + "\r\n" : "";
                return join(utf8(method + " " + target + " HTTP/1.1\r\nHost: registry\r\n" + headers + contentType
                        + (body != null ? "Content-Length: " + body.length + "\r\n" : "") + "\r\n"), body);
            });
        }

        Case raw(String what, String headers, byte[] body) {
            return new Case(resource + " " + method + ": " + what, method.equals("HEAD"),
                    () -> join(utf8(method + " " + target(Map.of(), method) + " HTTP/1.1\r\nHost: registry\r\n" + headers + "\r\n"), body));
        }

        Case withMethod(String otherMethod) {
            return new Case(resource + " " + method + " path with method " + otherMethod, otherMethod.equals("HEAD"),
                    () -> utf8(otherMethod + " " + target(Map.of(), otherMethod) + " HTTP/1.1\r\nHost: registry\r\nContent-Length: 0\r\n\r\n"));
        }

        Case query(String query) {
            return new Case(resource + " " + method + ": query " + query, method.equals("HEAD"), () -> {
                String target = target(Map.of(), method);
                return join(utf8(method + " " + target + (target.contains("?") ? "&" : "?") + query
                        + " HTTP/1.1\r\nHost: registry\r\n" + (body != null ? "Content-Length: " + body.length + "\r\n" : "") + "\r\n"), body);
            });
        }

        Case framed(String what, String framing) {
            return new Case(resource + " " + method + ": framing " + what, method.equals("HEAD"),
                    () -> utf8(method + " " + target(Map.of(), method) + " HTTP/1.1\r\nHost: registry\r\n" + framing));
        }

        /** @param sent the method the request is sent with: every DELETE aims at {@link #DEL} */
        private String target(Map<String, String> substitutions, String sent) {
            String target = path;
            for (Map.Entry<String, String> substitution : substitutions.entrySet()) {
                target = target.replace(substitution.getKey(), substitution.getValue());
            }
            String name = sent.equalsIgnoreCase("DELETE") ? DEL : APP;
            if (target.contains("{upload}")) {
                target = target.replace("{upload}", currentTest.newUpload(target.contains("{name}") ? name : APP));
            }
            return target.replace("{name}", name)
                    .replace("{ref}", sent.equals("PUT") ? "hostile-put" : "good")
                    .replace("{digest}", currentTest.layer.toString());
        }
    }

    // The records above are static; they reach this test's fixture (upload ids, digests) through here.
    private static HostileInputTest currentTest;

    @BeforeEach
    void register() {
        currentTest = this;
    }

    private String newUpload(String name) {
        String location = registry.location(registry.post("/v2/" + name + "/blobs/uploads/", null));
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static final List<String> HOSTILE_NAMES = List.of(
            "", "A", "UPPER/case", "..", "../x", "a/../../x", "./a", "a/./b", "a//b", "/a", "a/", "-a", "a-", "a..b", "a__b_",
            "_catalog", "a/_manifests", "a/_layers", "a/_uploads", "%2e%2e", "a/%2e%2e/b", "a%2fb", "a%2F..%2Fb", "a%5cb", "a\\b",
            "a%00b", "a%", "a%zz", "a%2", "a;x=1", "a;", "a b", "a%20b", "a\tb", "a?b", "a#b", "a*b", "ü", "%C3%BC", "%FF",
            "a".repeat(256), "a/".repeat(127) + "a", ("b".repeat(254) + "/").repeat(2) + "c", "a%0d%0aSet-Cookie:x=1",
            "con", "aux/nul", "a:b", "a@b", "a+b", "a,b", "a=b", "a'b", "a\"b", "a<b>", "a{b}", "a|b", "a^b", "a`b", "a[b]");

    private static final List<String> HOSTILE_REFERENCES = List.of(
            "", ".", "..", "-x", ".x", "x" .repeat(129), "UPPER", "a:b", "sha256:", "sha256:zz", "sha256:" + "A".repeat(64),
            "sha256:" + "0".repeat(63), "sha256:" + "0".repeat(65), "sha512:" + "0".repeat(128), "md5:" + "0".repeat(32),
            ":", "%00", "a%00b", "%2e%2e", "..%2f..%2fetc", "ü", "%F0%9F%92%A9", "a;b", "a%20b", "a+b", "sha256:" + "0".repeat(64) + "%00",
            "latest%0d%0aX:1", "*", "%", "%zz");

    private static final List<String> HOSTILE_DIGESTS = List.of(
            "", "sha256", "sha256:", "sha256:zz", "SHA256:" + "a".repeat(64), "sha256:" + "A".repeat(64), "sha256:" + "0".repeat(63),
            "sha256:" + "0".repeat(65), "sha256:" + "0".repeat(64), "sha512:" + "0".repeat(128), "sha256+b64:AAAA", ":", "%00",
            "sha256%3a" + "0".repeat(64), "..", "sha256:" + "0".repeat(64) + "%2f..", "ü", "uploads", "sha256:" + "g".repeat(64),
            "sha256:" + "0".repeat(1000), "%", "-1");

    private static final List<String> HOSTILE_UPLOAD_IDS = List.of(
            "", "x", "..", "%2e%2e", "..%2F..%2Fetc", "00000000-0000-0000-0000-000000000000", "AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA",
            "0-0-0-0-0", "00000000-0000-0000-0000-0000000000000", "%00", "a".repeat(300), "ü", "%", "sha256:" + "0".repeat(64));

    private static final List<String> HOSTILE_HEADERS = List.of(
            "Range: bytes=99999999999999999999-", "Content-Range: 99999999999999999999-99999999999999999999",
            "Accept: " + "a/b,".repeat(500), "X-Huge: " + "x".repeat(9000), "X-Nul: a\0b", "X-Latin: \u00ff\u00fe",
            "Authorization: Basic !!!", "Authorization: Bearer " + "x".repeat(4000), "Authorization: Basic " + "QQ==".repeat(100),
            "Expect: 100-continue", "Expect: 999-nonsense", "If-None-Match: *", "If-Range: \"x\"", "Content-Type: ;;;",
            "Content-Encoding: gzip", "Host: other", "X-Forwarded-For: 127.0.0.1, <script>", "Cookie: " + "a=b; ".repeat(500),
            manyHeaders());

    private static final List<String> HOSTILE_LENGTHS = List.of(
            "-1", "99999999999999999999", "abc", "+1", " 1", "0x1", "1.0", "1e0", "1 1", "1,1", "1, 2", "01",
            "1\r\nContent-Length: 1", "1\r\nContent-Length: 2", "18446744073709551617", "", "١");

    private static final List<String> HOSTILE_METHODS = List.of(
            "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "MKCOL", "FOO", "get",
            "M-SEARCH", "G".repeat(300));

    private static final List<String> HOSTILE_RANGES = List.of(
            "bytes=99999999999999999999-", "bytes=-99999999999999999999", "bytes=0-99999999999999999999",
            "bytes=99999999999999999999-99999999999999999999", "bytes=0-1,3-4", "bytes=0-0,-1", "bytes=" + "0-0,".repeat(1000) + "0-0",
            "bytes=", "bytes=-", "bytes=--1", "bytes=5-2", "bytes=-0", "bytes=0-", "bytes=3000-", "bytes=2999-", "bytes=-3001",
            "items=0-1", "bytes=a-b", "bytes=1-2-3", "bytes= 0-1", "BYTES=0-1", "bytes=0x1-2", "bytes=-1-", "bytes=1.5-2",
            "bytes=٠-١", "garbage");

    private static final List<String> HOSTILE_CONTENT_RANGES = List.of(
            "99999999999999999999-99999999999999999999", "0-99999999999999999999", "99999999999999999999-0", "-1-5", "0--1",
            "5-2", "1-1", "0-0", "bytes 0-0/1", "bytes 0-0/*", "bytes */*", "bytes=0-0", "0-", "-0", "", "a-b", "0-0/99999999999999999999",
            "0-0,1-1", "٠-٠", "0x0-0x0", "0-18446744073709551616");

    private static final List<String> HOSTILE_NUMBERS = List.of(
            "-1", "0", "99999999999999999999", "2147483648", "-2147483649", "1e3", "0x10", "", "NaN", "+5", "%20", "1.5", "%00",
            "ü", "a".repeat(5000));

    private static final List<String> HOSTILE_QUERIES = List.of(
            "digest=", "digest=sha256:", "digest=" + "x".repeat(5000), "digest=sha256:" + "0".repeat(64) + "&digest=sha256:zz",
            "mount=", "mount=sha256:" + "0".repeat(64), "mount=sha256:" + "0".repeat(64) + "&from=", "mount=x&from=../../etc",
            "mount=sha256:" + "0".repeat(64) + "&from=UPPER", "mount=sha256:" + "0".repeat(64) + "&from=a%2F..%2Fb",
            "mount=sha256:" + "0".repeat(64) + "&from=" + "a".repeat(300), "%", "%%%", "=&=&", "a=%zz", "&&&", "n=1&n=-1",
            "artifactType=%00", "x=" + "y".repeat(9000), "_state=garbage", "digest=%F0%9F%92%A9");

    private static final List<String> HOSTILE_MEDIA_TYPES = List.of(
            "", "text/html", "application/json", "*/*", "application/vnd.oci.image.manifest.v1+json; charset=\"x\"",
            "application/vnd.oci.image.manifest.v1+json, text/html", "a/b/c", "/", "x", "ü/ü", "a" .repeat(300) + "/b",
            "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.v1+prettyjws",
            "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "\u00ff/\u00fe", "a/b;" + "p=1;".repeat(500));

    private static final List<String> HOSTILE_TARGETS = List.of(
            "/", "/v2", "/v2/../v2/", "/v2/./", "//v2/", "/v2//", "/v2///tags/list", "/v2/%2e%2e/", "/v2/%2e%2e%2f%2e%2e%2f", "/v2/%",
            "/v2/%00", "/v2/\0", "/v2/a\0/tags/list", "/v2/ /tags/list", "/v2/a/tags/list/..", "/v2/a/tags/list#frag", "/v2/a/tags/list?%",
            "/v2;a=b/", "/v2/a;a=b/tags/list", "/v2/a/tags;x/list", "http://127.0.0.1/v2/", "http://evil.example/v2/", "*", "v2/",
            "/v2/" + "a".repeat(9000), "/ü", "/v2/a/manifests/%F0%9F%92%A9", "/../../../../etc/passwd", "/v2/..\\..\\x/tags/list",
            "/v2/%252e%252e/tags/list", "/actuator/../v2/", "/actuator/health/..%2f..%2fv2%2f", "/error", "/actuator/registrygc",
            "/actuator/%2e%2e/v2/", "/v2/_catalog/..", "/v2/_catalog%00", "/v2/a/blobs/uploads/../../../tags/list", "/V2/", "/v2%2f");

    private static final Map<String, String> HOSTILE_FRAMING = framing();

    private static Map<String, String> framing() {
        Map<String, String> framing = new java.util.LinkedHashMap<>();
        framing.put("chunked", "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        framing.put("chunked with extension and trailer", "Transfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nX-T: 1\r\n\r\n");
        framing.put("Content-Length and chunked", "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        framing.put("chunked and Content-Length", "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n");
        framing.put("chunk size zz", "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        framing.put("chunk size 0x5", "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n");
        framing.put("chunk size +5", "Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n");
        framing.put("chunk size -0", "Transfer-Encoding: chunked\r\n\r\n-0\r\n\r\n");
        framing.put("huge chunk size", "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n");
        framing.put("chunk longer than its size", "Transfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n");
        framing.put("chunk lines with LF only", "Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n");
        framing.put("Transfer-Encoding gzip", "Transfer-Encoding: gzip\r\n\r\n");
        framing.put("Transfer-Encoding chunked, identity", "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n");
        framing.put("Transfer-Encoding identity", "Transfer-Encoding: identity\r\nContent-Length: 0\r\n\r\n");
        framing.put("Transfer-Encoding twice", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        framing.put("Transfer-Encoding obs-folded", "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n");
        framing.put("Transfer-Encoding with a space before the colon", "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n");
        framing.put("Transfer-Encoding xchunked", "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n");
        framing.put("two Content-Lengths", "Content-Length: 0\r\nContent-Length: 5\r\n\r\nhello");
        framing.put("header without a colon", "Bogus\r\nContent-Length: 0\r\n\r\n");
        framing.put("header name with a space", "Bad Name: x\r\nContent-Length: 0\r\n\r\n");
        framing.put("obs-fold", "X-A: a\r\n b\r\nContent-Length: 0\r\n\r\n");
        framing.put("bare LF header lines", "X-A: a\nContent-Length: 0\n\n");
        framing.put("NUL in a header value", "X-A: a\0b\r\nContent-Length: 0\r\n\r\n");
        framing.put("second Host", "Host: other\r\nContent-Length: 0\r\n\r\n");
        framing.put("header block over 8 KiB", ("X-Pad: " + "p".repeat(1000) + "\r\n").repeat(10) + "\r\n");
        framing.put("Expect 100-continue with a body", "Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello");
        return framing;
    }

    private Map<String, byte[]> hostileManifests() {
        String config = "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":1,\"digest\":\"" + this.config + "\"}";
        Map<String, byte[]> bodies = new java.util.LinkedHashMap<>();
        for (String body : List.of("", " ", "null", "true", "1", "\"x\"", "[]", "{}", "{", "}", "{\"schemaVersion\":2", "{\"schemaVersion\":\"2\"}",
                "{\"schemaVersion\":2.0," + config + ",\"layers\":[]}", "{\"schemaVersion\":2e0," + config + ",\"layers\":[]}",
                "{\"schemaVersion\":99999999999999999999," + config + ",\"layers\":[]}", "{\"schemaVersion\":1e400}", "{\"schemaVersion\":-2}",
                "{\"schemaVersion\":2}", "{\"schemaVersion\":2,\"config\":[]}", "{\"schemaVersion\":2,\"config\":{}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":5},\"layers\":[]}", "{\"schemaVersion\":2," + config + "}",
                "{\"schemaVersion\":2," + config + ",\"layers\":\"x\"}", "{\"schemaVersion\":2," + config + ",\"layers\":[1,2]}",
                "{\"schemaVersion\":2," + config + ",\"layers\":[{\"digest\":\"sha256:" + "0".repeat(64) + "\"}]}",
                "{\"schemaVersion\":2," + config + ",\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.nondistributable.v1.tar\","
                        + "\"digest\":\"sha256:" + "0".repeat(64) + "\"}]}",
                "{\"schemaVersion\":2," + config + ",\"layers\":[],\"subject\":[]}", "{\"schemaVersion\":2," + config + ",\"layers\":[],\"subject\":{}}",
                "{\"schemaVersion\":2," + config + ",\"layers\":[],\"mediaType\":5}", "{\"schemaVersion\":2," + config + ",\"layers\":[],\"mediaType\":\"\"}",
                "{\"schemaVersion\":2," + config + ",\"layers\":[],\"mediaType\":\"text/html\\r\\nX-Injected: 1\"}",
                "{\"schemaVersion\":2," + config + ",\"layers\":[],\"mediaType\":\"\\u00ff/\\u00fe\"}",
                "{\"schemaVersion\":2," + config + ",\"layers\":[],\"mediaType\":\"" + "a".repeat(200) + "/b\"}",
                "{\"schemaVersion\":2,\"manifests\":{}}", "{\"schemaVersion\":2,\"manifests\":[{}]}", "{\"schemaVersion\":2,\"manifests\":[null]}",
                "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:" + "0".repeat(64) + "\"}]}",
                "{\"schemaVersion\":2,\"schemaVersion\":1," + config + ",\"layers\":[]}", "\uFEFF{\"schemaVersion\":2}",
                "{\"schemaVersion\":2,\"x\":\"" + "\\ud800".repeat(10) + "\"}", "{\"schemaVersion\":2,\"x\":" + "9".repeat(2000) + "}",
                "{\"schemaVersion\":2,\"x\":\"" + "y".repeat(30_000) + "\"}", "{\"schemaVersion\":2,/*comment*/\"x\":1}",
                "{'schemaVersion':2}", "{\"schemaVersion\":2,\"x\":NaN}")) {
            bodies.put("manifest " + abbreviate(body), body.getBytes(StandardCharsets.UTF_8));
        }
        bodies.put("manifest nested 100000 arrays deep", ("{\"schemaVersion\":2,\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}")
                .getBytes(StandardCharsets.UTF_8));
        bodies.put("manifest nested 20000 objects deep", ("{\"schemaVersion\":2,\"x\":" + "{\"a\":".repeat(20_000) + "1" + "}".repeat(20_000) + "}")
                .getBytes(StandardCharsets.UTF_8));
        bodies.put("manifest of invalid UTF-8", join(ascii("{\"schemaVersion\":2,\"x\":\""), new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}'}));
        bodies.put("manifest of 100000 keys", ("{\"schemaVersion\":2" + Stream.iterate(0, i -> i + 1).limit(100_000)
                .map(i -> ",\"k" + i + "\":0").collect(Collectors.joining()) + "}").getBytes(StandardCharsets.UTF_8));
        byte[] oversize = new byte[4 * 1024 * 1024 + 10];
        Arrays.fill(oversize, (byte) ' ');
        bodies.put("manifest over 4 MiB", oversize);
        return bodies;
    }

    private static String manyHeaders() {
        StringBuilder headers = new StringBuilder("X-0: 0");
        for (int i = 1; i < 150; i++) {
            headers.append("\r\nX-").append(i).append(": ").append(i);
        }
        return headers.toString();
    }

    // ---- checking

    private void check(Case hostile, byte[] request, RawHttp.Response response, List<String> failures) {
        int status = response.status();
        if (status >= 500) {
            failures.add(describe(hostile, request) + "\n    got " + status + " " + abbreviate(response.text()));
            return;
        }
        if (status < 400) {
            return;
        }
        String type = response.header("Content-Type").orElse("");
        if (!type.startsWith("application/json")) {
            failures.add(describe(hostile, request) + "\n    " + status + " with Content-Type '" + type + "': " + abbreviate(response.text()));
            return;
        }
        if (hostile.head()) {
            return;
        }
        String problem = specErrorProblem(response.body());
        if (problem != null) {
            failures.add(describe(hostile, request) + "\n    " + status + " " + problem + ": " + abbreviate(response.text()));
        }
    }

    /** Null when the body is the spec's error body with spec codes, else what is wrong with it. */
    private String specErrorProblem(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (RuntimeException e) {
            return "body is not JSON";
        }
        JsonNode errors = root == null ? null : root.get("errors");
        if (errors == null || !errors.isArray() || errors.isEmpty()) {
            return "no errors array";
        }
        for (JsonNode error : errors) {
            if (!error.path("code").isString() || !SPEC_CODES.contains(error.get("code").stringValue())) {
                return "code is not one of the spec's";
            }
            if (!error.path("message").isString()) {
                return "no message";
            }
        }
        return null;
    }

    private void assertSpecError(RawHttp.Response response, int status, String code) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(specErrorProblem(response.body())).as(response.text()).isNull();
        assertThat(json.readTree(response.body()).path("errors").path(0).path("code").asString()).isEqualTo(code);
    }

    // ---- plumbing

    /** Sends and reads one answer; empty when the server closed or reset the connection first. */
    private static Optional<RawHttp.Response> exchange(RawHttp connection, byte[] request, boolean head) throws IOException {
        try {
            connection.send(request);
        } catch (IOException e) {
            // The server may close while a large request is still being written; its answer may still be readable.
        }
        try {
            return connection.read(head);
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("no answer within 10 s: the server is waiting for bytes that will never come", e);
        }
    }

    private RawHttp reconnect(RawHttp old) throws IOException {
        old.close();
        return new RawHttp(port);
    }

    private RawHttp.Response cutShort(String requestLine, byte[] body, int sent) throws IOException {
        try (RawHttp connection = new RawHttp(port)) {
            connection.send(ascii(requestLine + " HTTP/1.1\r\nHost: registry\r\nContent-Type: "
                    + (requestLine.contains("/manifests/") ? OCI_MANIFEST : "application/octet-stream")
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n"));
            connection.send(Arrays.copyOf(body, sent));
            connection.shutdownOutput();
            return connection.read(false).orElseThrow(() -> new AssertionError("no answer to a body cut short"));
        }
    }

    private List<RegistryStorage.UploadStat> uploadsOf(RepositoryName repository) {
        return storage.listUploads().stream().filter(upload -> upload.repository().equals(repository)).toList();
    }

    private Digest push(String repository, byte[] content) {
        Digest digest = Digest.of(content);
        HttpResponse<byte[]> response = registry.post("/v2/" + repository + "/blobs/uploads/?digest=" + digest, content,
                "Content-Type", "application/octet-stream");
        assertThat(response.statusCode()).isEqualTo(201);
        return digest;
    }

    private static String describe(Case hostile, byte[] request) {
        String what = hostile.what().length() > 150 ? hostile.what().substring(0, 150) + "…" : hostile.what();
        return what + "\n    request: " + abbreviate(new String(request, StandardCharsets.ISO_8859_1));
    }

    private static String abbreviate(String text) {
        String printable = text.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
        return printable.length() > 200 ? printable.substring(0, 200) + "…" : printable;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] join(byte[] head, byte[] body) {
        if (body == null) {
            return head;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + body.length);
        out.writeBytes(head);
        out.writeBytes(body);
        return out.toByteArray();
    }

    @AfterAll
    static void removeStorage() {
        FileSystemUtils.deleteRecursively(ROOT.getParent().toFile());
    }
}
