package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.crypto.KeySealer;
import io.atoll.gateway.RawH2.Answer;
import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.gateway.proxy.RequestMetrics;
import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import io.atoll.testing.TestPki;
import io.atoll.testing.TestPki.Issued;
import io.atoll.testing.TestPki.KeyType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 14 item 2: HTTP/2 from clients, HTTP/1.1 to instances. Real clients (curl over TLS with
 * ALPN, curl with prior knowledge on the plain port, curl multiplexing transfers on one
 * connection) and a frame-level client ({@link RawH2}, Netty's frame writer over a socket) for
 * what well-behaved clients never send; real instances that record what reached them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.tls.port=0",
        "atoll.gateway.http2.max-concurrent-streams=5",
        "atoll.gateway.snapshot-file=target/test-snapshots/http2-routing.json"})
class Http2Test {

    private static final String KEY = KeySealer.generateKey();
    private static final ZkFixture zk = new ZkFixture();
    private static RecordingBackend shop;
    private static StreamBackend raw;
    private static TestPki ca;
    private static Path root;

    @TempDir
    static Path dir;

    @Autowired
    ProxyServer proxy;

    @Autowired
    MeterRegistry registry;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("atoll.zookeeper.connect-string", zk::connectString);
        registry.add("atoll.gateway.tls.encryption-key", () -> KEY);
    }

    @BeforeAll
    static void setUp() throws Exception {
        shop = new RecordingBackend();
        raw = new StreamBackend();
        ca = TestPki.root(dir, "H2 CA");
        root = Files.writeString(dir.resolve("root.pem"), ca.rootPem());
        Issued leaf = ca.issue("h2", List.of("*.h2.test"), KeyType.EC);
        zk.route("shop", RouteRule.forHosts(List.of("shop.h2.test")));
        zk.route("raw", RouteRule.forHosts(List.of("raw.h2.test")));
        zk.instance("shop", "shop-1", shop.address(), InstanceState.HEALTHY);
        zk.instance("raw", "raw-1", raw.address(), InstanceState.HEALTHY);
        zk.certificate("shop", "*.h2.test", leaf.chainPem(), leaf.keyPem(), KEY, false, 600);
    }

    @AfterAll
    static void tearDown() throws Exception {
        shop.close();
        raw.close();
        zk.close();
    }

    @BeforeEach
    void servedWithTheCertificate() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> curl("--http2", "https://shop.h2.test:" + proxy.tlsPort() + "/ready").exit() == 0);
        shop.clear();
    }

    // ------------------------------------------------------------------ real clients

    @Test
    void curlNegotiatesH2OverTlsAndTheInstanceGetsHttp11WithTheUsualHeaders() throws Exception {
        double before = requests("shop");
        Curl answer = curl("--http2", "-D", "-", "https://shop.h2.test:" + proxy.tlsPort() + "/cart?item=1");
        assertThat(answer.exit()).as(answer.output()).isZero();
        assertThat(answer.output()).startsWith("HTTP/2 200").contains("strict-transport-security: max-age=600")
                .contains("x-request-id: ").endsWith("ok GET /cart?item=1\n2");

        RecordingBackend.Received seen = shop.requestsTo("/cart").get(0);
        assertThat(shop.rawBytes()).startsWith("GET /cart?item=1 HTTP/1.1\r\n");
        assertThat(seen.headers("host")).containsExactly("shop.h2.test:" + proxy.tlsPort());
        assertThat(seen.header("x-forwarded-proto")).isEqualTo("https");
        assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(seen.header("x-request-id")).isNotBlank();
        assertThat(seen.headers()).noneMatch(h -> h.getKey().toLowerCase().startsWith("x-http2")
                || h.getKey().equalsIgnoreCase("te"));
        // counted by the same metrics as HTTP/1.1 requests
        assertThat(requests("shop")).isEqualTo(before + 1);
    }

    @Test
    void clientsThatDoNotChooseH2GetHttp11OnTheTlsPort() throws Exception {
        Curl http11 = curl("--http1.1", "https://shop.h2.test:" + proxy.tlsPort() + "/one");
        assertThat(http11.exit()).as(http11.output()).isZero();
        assertThat(http11.output()).isEqualTo("ok GET /one\n1.1");
        Curl noAlpn = curl("--http2", "--no-alpn", "https://shop.h2.test:" + proxy.tlsPort() + "/two");
        assertThat(noAlpn.exit()).as(noAlpn.output()).isZero();
        assertThat(noAlpn.output()).isEqualTo("ok GET /two\n1.1");
        assertThat(shop.requestsTo("/one").get(0).header("x-forwarded-proto")).isEqualTo("https");
    }

    @Test
    void thePlainPortServesH2cWithPriorKnowledgeAndHttp11AsBefore() throws Exception {
        Curl h2c = curl("--http2-prior-knowledge", "http://shop.h2.test:" + proxy.port() + "/plain");
        assertThat(h2c.exit()).as(h2c.output()).isZero();
        assertThat(h2c.output()).isEqualTo("ok GET /plain\n2");
        RecordingBackend.Received seen = shop.requestsTo("/plain").get(0);
        assertThat(seen.header("x-forwarded-proto")).isEqualTo("http");
        assertThat(seen.headers("host")).containsExactly("shop.h2.test:" + proxy.port());

        // HTTP/1.1, including methods that begin like the preface, is read as before
        String post = RawHttp.exchange(proxy.port(), "POST /post-body HTTP/1.1\r\nHost: shop.h2.test\r\nContent-Length: 2\r\n"
                + "Connection: close\r\n\r\nhi").text();
        assertThat(post).startsWith("HTTP/1.1 200").endsWith("ok POST /post-body");
        assertThat(shop.requestsTo("/post-body").get(0).body()).isEqualTo("hi");
        String pri = RawHttp.exchange(proxy.port(), "PRI * HTTP/1.1\r\nHost: shop.h2.test\r\nConnection: close\r\n\r\n")
                .text();
        assertThat(pri).startsWith("HTTP/1.1 ");
        // Upgrade: h2c is not taken up: the request is answered in HTTP/1.1
        Curl upgrade = curl("--http2", "http://shop.h2.test:" + proxy.port() + "/upgrade");
        assertThat(upgrade.output()).isEqualTo("ok GET /upgrade\n1.1");
        assertThat(shop.requestsTo("/upgrade").get(0).header("upgrade")).isNull();
    }

    @Test
    void concurrentTransfersShareOneConnectionAsStreams() throws Exception {
        List<String> command = new ArrayList<>(List.of("--http2", "--parallel", "--parallel-max", "5", "-w",
                "%{http_version} %{num_connects} %{http_code}\\n"));
        for (int i = 0; i < 5; i++) {
            command.add("-o");
            command.add("/dev/null");
            command.add("https://raw.h2.test:" + proxy.tlsPort() + "/slow");
        }
        raw.mostAtOnce.set(0);
        long started = System.nanoTime();
        Curl parallel = curl(command.toArray(String[]::new));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(parallel.exit()).as(parallel.output()).isZero();
        // curl prints a progress table for --parallel even when silent: only the -w lines count
        List<String> lines = parallel.output().lines().filter(line -> line.matches("\\S+ \\d+ \\d{3}")).toList();
        assertThat(lines).as(parallel.output()).hasSize(5).allMatch(line -> line.startsWith("2 ") && line.endsWith(" 200"));
        assertThat(lines.stream().mapToInt(line -> Integer.parseInt(line.split(" ")[1])).sum())
                .as("connections made").isEqualTo(1);
        // five 400 ms answers, served side by side on their own instance connections
        assertThat(raw.mostAtOnce.get()).isGreaterThanOrEqualTo(3);
        assertThat(millis).isLessThan(1800);
    }

    @Test
    void largeBodiesGoBothWays() throws Exception {
        byte[] upload = new byte[8 * 1024 * 1024];
        new Random(14).nextBytes(upload);
        Path file = Files.write(dir.resolve("upload.bin"), upload);
        Curl up = curl("--http2", "--data-binary", "@" + file, "https://raw.h2.test:" + proxy.tlsPort() + "/upload");
        assertThat(up.exit()).as(up.output()).isZero();
        assertThat(up.output()).isEqualTo(upload.length + " "
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload)) + "\n2");

        Path down = dir.resolve("down.bin");
        Curl get = curl("--http2", "-o", down.toString(), "https://raw.h2.test:" + proxy.tlsPort() + "/big/16777216");
        assertThat(get.exit()).as(get.output()).isZero();
        assertThat(get.output().strip()).isEqualTo("2");
        assertThat(Files.size(down)).isEqualTo(16777216);
    }

    // ------------------------------------------------------------------ streams, resets, flow control

    @Test
    void aClientResetCancelsThatStreamsInstanceRequestAlone() throws Exception {
        try (RawH2 client = new RawH2(proxy.port())) {
            var arrived = raw.expectHold("reset-a");
            client.headers(1, RawH2.request("GET", "raw.h2.test", "/hold/reset-a"), true);
            client.headers(3, RawH2.request("GET", "raw.h2.test", "/slow"), true);
            assertThat(arrived.await(5, TimeUnit.SECONDS)).isTrue();
            client.reset(1, Http2Error.CANCEL.code());
            assertThat(raw.closedWhileHeld.get("reset-a").await(2, TimeUnit.SECONDS))
                    .as("the instance's connection for the reset stream is closed").isTrue();
            Answer slow = client.answer(3, Duration.ofSeconds(5));
            assertThat(slow.status()).isEqualTo("200");
            assertThat(slow.body()).isEqualTo("slow");
            assertThat(client.answer(5, send(client, 5, "/after")).body()).isEqualTo("ok /after");
        }
    }

    @Test
    void anInstanceFailureResetsOnlyItsStream() throws Exception {
        try (RawH2 client = new RawH2(proxy.port())) {
            client.headers(1, RawH2.request("GET", "raw.h2.test", "/slow"), true);
            client.headers(3, RawH2.request("GET", "raw.h2.test", "/die"), true);
            Answer died = client.answer(3, Duration.ofSeconds(5));
            assertThat(died.resetCode()).as("the cut answer ends in a reset, not a clean end").isNotNull();
            Answer slow = client.answer(1, Duration.ofSeconds(5));
            assertThat(slow.status()).isEqualTo("200");
            assertThat(slow.body()).isEqualTo("slow");
        }
    }

    @Test
    void streamsBeyondTheLimitAreRefused() throws Exception {
        try (RawH2 client = new RawH2(proxy.port())) {
            assertThat(client.serverSettings().maxConcurrentStreams()).isEqualTo(5L);
            List<java.util.concurrent.CountDownLatch> arrived = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                arrived.add(raw.expectHold("limit-" + i));
                client.headers(1 + 2 * i, RawH2.request("GET", "raw.h2.test", "/hold/limit-" + i), true);
            }
            for (var latch : arrived) {
                assertThat(latch.await(5, TimeUnit.SECONDS)).isTrue();
            }
            client.headers(11, RawH2.request("GET", "raw.h2.test", "/sixth"), true);
            Answer sixth = client.answer(11, Duration.ofSeconds(5));
            assertThat(sixth.resetCode()).isEqualTo(Http2Error.REFUSED_STREAM.code());
            for (int i = 0; i < 5; i++) {
                client.reset(1 + 2 * i, Http2Error.CANCEL.code());
            }
            for (int i = 0; i < 5; i++) {
                assertThat(raw.closedWhileHeld.get("limit-" + i).await(2, TimeUnit.SECONDS)).isTrue();
            }
            // the streams are given back: the connection serves again
            assertThat(client.answer(13, send(client, 13, "/again")).body()).isEqualTo("ok /again");
        }
    }

    @Test
    void aSlowReaderHoldsTheInstanceBackInsteadOfFillingTheGateway() throws Exception {
        // the client's window: 64 KiB per stream and for the connection, never updated
        try (RawH2 client = new RawH2(proxy.port(), Http2Settings.defaultSettings().initialWindowSize(65535))) {
            raw.bigWritten.set(0);
            client.headers(1, RawH2.request("GET", "raw.h2.test", "/big/268435456"), true);
            Thread.sleep(2000);
            long stalled = raw.bigWritten.get();
            Thread.sleep(1000);
            long later = raw.bigWritten.get();
            System.out.println("Slow reader: the instance wrote " + stalled + " then " + later + " bytes of 256 MiB");
            assertThat(later).as("bytes the instance could write while the client read 64 KiB")
                    .isLessThan(32L * 1024 * 1024).isEqualTo(stalled);
            // credit given: the answer moves again
            client.windowUpdate(0, 64 * 1024 * 1024);
            client.windowUpdate(1, 64 * 1024 * 1024);
            await().atMost(Duration.ofSeconds(5)).until(() -> raw.bigWritten.get() > later + 16L * 1024 * 1024);
        }
    }

    // ------------------------------------------------------------------ hostile input

    @Test
    void aHeaderListOverTheLimitIsRefusedAndTheConnectionGoesOn() throws Exception {
        try (RawH2 client = new RawH2(proxy.port())) {
            client.headers(1, RawH2.request("GET", "shop.h2.test", "/big-headers", "x-big", "a".repeat(17000)), true);
            Answer refused = client.answer(1, Duration.ofSeconds(5));
            assertThat(refused.status()).isEqualTo("431");
            assertThat(client.answer(3, send(client, 3, "/after-big", "shop.h2.test")).status()).isEqualTo("200");
        }
        assertThat(shop.requestsTo("/big-headers")).isEmpty();
    }

    @Test
    void connectionSpecificFieldsAreMalformed() throws Exception {
        String[][] fields = {{"transfer-encoding", "chunked"}, {"connection", "keep-alive"}, {"upgrade", "websocket"},
                {"keep-alive", "timeout=5"}, {"proxy-connection", "close"}, {"te", "gzip"}};
        for (String[] field : fields) {
            try (RawH2 client = new RawH2(proxy.port())) {
                client.headers(1, RawH2.request("POST", "shop.h2.test", "/conn-" + field[0], field[0], field[1]), true);
                Answer answer = client.answer(1, Duration.ofSeconds(5));
                System.out.println("HTTP/2 request with " + field[0] + ": " + answer);
                assertThat(answer.status()).as(field[0] + " " + answer).isNull();
                assertThat(answer.resetCode()).as(field[0] + " " + answer).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            }
        }
        assertThat(shop.requestsTo("/conn-")).isEmpty();
        assertThat(shop.rawBytes()).doesNotContain("/conn-");
    }

    @Test
    void aBodyThatDisagreesWithItsContentLengthNeverReachesTheInstanceWhole() throws Exception {
        try (RawH2 client = new RawH2(proxy.port())) {
            client.headers(1, RawH2.request("POST", "shop.h2.test", "/short", "content-length", "10"), false);
            client.data(1, "12345", true);
            assertThat(client.answer(1, Duration.ofSeconds(5)).resetCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            client.headers(3, RawH2.request("POST", "shop.h2.test", "/long", "content-length", "3"), false);
            client.data(3, "123SMUGGLED", true);
            assertThat(client.answer(3, Duration.ofSeconds(5)).resetCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            assertThat(client.answer(5, send(client, 5, "/after-length", "shop.h2.test")).status()).isEqualTo("200");
        }
        Thread.sleep(200);
        assertThat(shop.requestsTo("/short")).isEmpty();
        assertThat(shop.requestsTo("/long")).isEmpty();
        assertThat(shop.rawBytes()).doesNotContain("SMUGGLED");
    }

    @Test
    void theHostIsAuthorityAndAHostFieldNamingAnotherIsMalformed() throws Exception {
        try (RawH2 client = new RawH2(proxy.port())) {
            client.headers(1, RawH2.request("GET", "shop.h2.test", "/disagree", "host", "raw.h2.test"), true);
            Answer refused = client.answer(1, Duration.ofSeconds(5));
            assertThat(refused.status()).as(refused.toString()).isNull();
            assertThat(refused.resetCode()).as(refused.toString()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            assertThat(refused.goAway()).isFalse();

            client.headers(3, RawH2.request("GET", "shop.h2.test", "/agree", "host", "shop.h2.test"), true);
            assertThat(client.answer(3, Duration.ofSeconds(5)).body()).isEqualTo("ok GET /agree");
            // no :authority: the host field routes, as in HTTP/1.1
            client.headers(5, RawH2.request("GET", null, "/host-only", "host", "shop.h2.test"), true);
            assertThat(client.answer(5, Duration.ofSeconds(5)).body()).isEqualTo("ok GET /host-only");
        }
        assertThat(shop.requestsTo("/disagree")).isEmpty();
        assertThat(raw.held).doesNotContainKey("disagree");
        assertThat(shop.requestsTo("/agree").get(0).headers("host")).containsExactly("shop.h2.test");
        assertThat(shop.requestsTo("/host-only").get(0).headers("host")).containsExactly("shop.h2.test");
    }

    // ------------------------------------------------------------------ helpers

    private static Duration send(RawH2 client, int stream, String path) throws Exception {
        return send(client, stream, path, "raw.h2.test");
    }

    private static Duration send(RawH2 client, int stream, String path, String host) throws Exception {
        client.headers(stream, RawH2.request("GET", host, path), true);
        return Duration.ofSeconds(5);
    }

    private double requests(String app) {
        return registry.find(RequestMetrics.METRIC).tag("app", app).timers().stream().mapToDouble(Timer::count).sum();
    }

    record Curl(int exit, String output) {
    }

    /** curl trusting only the test CA, every host resolved to the gateway; prints the HTTP version last. */
    private Curl curl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--cacert", root.toString(),
                "--resolve", "shop.h2.test:" + proxy.tlsPort() + ":127.0.0.1",
                "--resolve", "raw.h2.test:" + proxy.tlsPort() + ":127.0.0.1",
                "--resolve", "shop.h2.test:" + proxy.port() + ":127.0.0.1",
                "--resolve", "raw.h2.test:" + proxy.port() + ":127.0.0.1"));
        if (!List.of(arguments).contains("-w")) {
            command.add("-w");
            command.add("\\n%{http_version}");
        }
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Curl(process.exitValue(), output.replace("\r\n", "\n"));
    }
}
