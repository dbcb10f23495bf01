package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway's request-smuggling and parsing corpus (issue 9): every request here is sent as
 * raw bytes, and what is checked is what reached the instance, a {@link RecordingBackend} with a
 * strict parser, not only what the attacker saw. The invariant behind every case: one request
 * in from a client is at most one request out to an instance, framed by the gateway, and a
 * request the gateway cannot read one way only is refused with a 400 and a closed connection.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.snapshot-file=target/test-snapshots/smuggling.json"})
class RequestSmugglingTest {

    private static final ZkFixture zk = new ZkFixture();
    private static final RecordingBackend instance = new RecordingBackend();

    /** A whole second request, as an attacker hides it in a body. */
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: mock.localhost\r\n\r\n";

    @Autowired
    ProxyServer proxy;

    @DynamicPropertySource
    static void zookeeper(DynamicPropertyRegistry registry) {
        registry.add("atoll.zookeeper.connect-string", zk::connectString);
    }

    @BeforeAll
    static void start() throws Exception {
        zk.route("mock", RouteRule.forHosts(List.of("mock.localhost")));
        zk.instance("mock", "mock-1", instance.address(), InstanceState.HEALTHY);
    }

    @AfterAll
    static void stop() throws Exception {
        instance.close();
        zk.close();
    }

    private static boolean routed;

    @BeforeEach
    void ready() {
        if (!routed) {
            RawHttp.awaitRouted(proxy, "mock.localhost");
            routed = true;
        }
        instance.clear();
    }

    private RawHttp.Result send(String request) {
        return RawHttp.exchange(proxy.port(), request);
    }

    /** Nothing the instance parsed was a request the client did not send as one. */
    private void assertNothingSmuggled() {
        assertThat(instance.requestsTo("/smuggled")).as("requests smuggled to the instance").isEmpty();
        assertThat(instance.requestsTo("/steal")).as("requests smuggled to the instance").isEmpty();
    }

    // ------------------------------------------------------------------ finding 1: Connection names framing

    @ParameterizedTest
    @ValueSource(strings = {"Connection: Content-Length\r\n", "Connection: close, Content-Length\r\n",
            "Connection: keep-alive, Content-Length\r\n", "Connection: content-length\r\n",
            "Connection: keep-alive\r\nConnection: Content-Length\r\n", "Connection: Host, Content-Length\r\n"})
    void aConnectionHeaderCannotRemoveContentLength(String connection) {
        RawHttp.Result result = send("POST /a HTTP/1.1\r\nHost: mock.localhost\r\n" + connection
                + "Content-Length: " + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED);

        assertThat(result.statuses()).containsExactly(200);
        await().atMost(Duration.ofSeconds(2)).until(() -> !instance.requestsTo("/a").isEmpty());
        RecordingBackend.Received received = instance.requestsTo("/a").get(0);
        assertThat(received.body()).isEqualTo(SMUGGLED);
        assertThat(received.header("Host")).isEqualTo("mock.localhost");
        assertThat(received.headers("Content-Length")).containsExactly(String.valueOf(SMUGGLED.length()));
        assertThat(instance.requests()).hasSize(1);
        assertNothingSmuggled();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Connection: Transfer-Encoding\r\n", "Connection: close, Transfer-Encoding\r\n",
            "Connection: keep-alive\r\nConnection: transfer-encoding\r\n"})
    void aConnectionHeaderCannotRemoveTransferEncoding(String connection) {
        String chunk = Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n";
        RawHttp.Result result = send("POST /a HTTP/1.1\r\nHost: mock.localhost\r\n" + connection
                + "Transfer-Encoding: chunked\r\n\r\n" + chunk);

        assertThat(result.statuses()).containsExactly(200);
        await().atMost(Duration.ofSeconds(2)).until(() -> !instance.requestsTo("/a").isEmpty());
        RecordingBackend.Received received = instance.requestsTo("/a").get(0);
        assertThat(received.body()).isEqualTo(SMUGGLED);
        // The instance's aggregator re-frames what it read; the wire shows how it was sent.
        assertThat(instance.rawBytes()).containsIgnoringCase("transfer-encoding: chunked\r\n");
        assertThat(instance.requests()).hasSize(1);
        assertNothingSmuggled();
    }

    /**
     * The attack the probe found: a smuggled POST with a length and no body would have taken the
     * next client's request, cookies included, as its body, on the pooled instance connection.
     */
    @Test
    void anotherClientsRequestNeverBecomesPartOfTheAttackersRequest() throws Exception {
        String trap = "POST /steal HTTP/1.1\r\nHost: mock.localhost\r\nContent-Length: 95\r\n\r\n";
        RawHttp.Result attacker = send("POST /a HTTP/1.1\r\nHost: mock.localhost\r\nConnection: Content-Length\r\n"
                + "Content-Length: " + trap.length() + "\r\n\r\n" + trap);
        assertThat(attacker.statuses()).containsExactly(200);

        RawHttp.Result victim = send("GET /victim HTTP/1.1\r\nHost: mock.localhost\r\nCookie: session=victim-secret\r\n"
                + "Connection: close\r\n\r\n");

        assertThat(victim.statuses()).containsExactly(200);
        assertThat(victim.text()).endsWith("ok GET /victim");
        RecordingBackend.Received seen = instance.requestsTo("/victim").get(0);
        assertThat(seen.header("Cookie")).isEqualTo("session=victim-secret");
        assertThat(instance.requestsTo("/a").get(0).body()).isEqualTo(trap);
        assertNothingSmuggled();
        assertThat(instance.requests()).extracting(RecordingBackend.Received::body)
                .noneMatch(body -> body.contains("victim-secret"));
    }

    @Test
    void headersNamedByEveryConnectionHeaderAreRemovedButHostAndFramingStay() {
        RawHttp.Result result = send("POST /named HTTP/1.1\r\nHost: mock.localhost\r\nConnection: keep-alive\r\n"
                + "Connection: X-Hop-Secret\r\nX-Hop-Secret: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                + "Content-Length: 3\r\n\r\nabc");

        assertThat(result.statuses()).containsExactly(200);
        await().atMost(Duration.ofSeconds(2)).until(() -> !instance.requestsTo("/named").isEmpty());
        RecordingBackend.Received received = instance.requestsTo("/named").get(0);
        assertThat(received.header("X-Hop-Secret")).isNull();
        assertThat(received.header("Keep-Alive")).isNull();
        assertThat(received.header("TE")).isNull();
        assertThat(received.header("Connection")).isNull();
        assertThat(received.body()).isEqualTo("abc");
    }

    // ------------------------------------------------------------------ finding 2: malformed chunks

    static Stream<String> malformedChunks() {
        return Stream.of(
                "zz\r\nhello\r\n0\r\n\r\n",
                "0x10\r\n0123456789abcdef\r\n0\r\n\r\n",
                "+10\r\n0123456789abcdef\r\n0\r\n\r\n",
                "-0\r\n\r\n",
                "fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
                "3\r\nabcdef\r\n0\r\n\r\n",
                "3\nabc\n0\n\n",
                "5\r\nhello\r\n3\nabc\r\n0\r\n\r\n",
                "5;ext\nhello\r\n0\r\n\r\n",
                "5\r\nhello\r\nzz\r\n" + SMUGGLED,
                "5\r\nhello\r\n0\r\n\r\n".replace("\r\n0", "\r\n 0"),
                "5\r\nhello\r\n0\r\nX: y\nZ: w\r\n\r\n");
    }

    @ParameterizedTest
    @MethodSource("malformedChunks")
    void aMalformedChunkIsA400AndTheRequestNeverReachesTheInstanceWhole(String body) throws Exception {
        RawHttp.Result result = send("POST /chunked HTTP/1.1\r\nHost: mock.localhost\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + body);

        assertThat(result.statuses()).containsExactly(400);
        assertThat(result.text()).contains("application/problem+json");
        assertThat(result.closed()).as("connection closed after the 400").isTrue();
        Thread.sleep(200);
        assertThat(instance.requestsTo("/chunked")).as("complete requests at the instance").isEmpty();
        assertNothingSmuggled();
        assertThat(send("GET /after HTTP/1.1\r\nHost: mock.localhost\r\nConnection: close\r\n\r\n").statuses())
                .containsExactly(200);
    }

    /** The client waits for the 100 Continue before the bad chunk: the instance is already receiving. */
    @Test
    void aMalformedChunkAfterTheRequestWasRelayedCutsTheInstancesConnection() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /chunked-late HTTP/1.1\r\nHost: mock.localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            await().atMost(Duration.ofSeconds(2)).until(() -> instance.rawBytes().contains("POST /chunked-late"));
            out.write("5\r\nworld\r\nq\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            RawHttp.Result result = RawHttp.readUntilQuietOrClosed(socket);
            assertThat(result.statuses()).containsExactly(400);
            assertThat(result.closed()).isTrue();
        }
        Thread.sleep(200);
        assertThat(instance.requestsTo("/chunked-late")).isEmpty();
        assertThat(instance.rawBytes()).doesNotContain("\r\n0\r\n\r\n");
    }

    // ------------------------------------------------------------------ published smuggling techniques

    /** CL.TE, TE.CL, TE.TE obfuscations, length tricks: refused, never read two ways. */
    static Stream<Arguments> ambiguousFraming() {
        String chunkedSmuggle = "0\r\n\r\n" + SMUGGLED;
        return Stream.of(
                Arguments.of("CL.TE", "Content-Length: " + chunkedSmuggle.length() + "\r\nTransfer-Encoding: chunked\r\n",
                        chunkedSmuggle),
                Arguments.of("TE.CL", "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n",
                        "5c\r\n" + SMUGGLED + "\r\n0\r\n\r\n"),
                Arguments.of("TE with trailing space name", "Transfer-Encoding : chunked\r\nContent-Length: 5\r\n",
                        chunkedSmuggle),
                Arguments.of("TE xchunked", "Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n", chunkedSmuggle),
                Arguments.of("TE chunked then identity", "Transfer-Encoding: chunked, identity\r\n", chunkedSmuggle),
                Arguments.of("TE twice", "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n", chunkedSmuggle),
                Arguments.of("TE obs-fold", "Transfer-Encoding:\r\n chunked\r\nContent-Length: 5\r\n", chunkedSmuggle),
                Arguments.of("TE tab", "Transfer-Encoding:\tchunked\r\nContent-Length: 5\r\n", chunkedSmuggle),
                Arguments.of("TE vertical tab", "Transfer-Encoding:\u000bchunked\r\n", chunkedSmuggle),
                Arguments.of("TE quoted", "Transfer-Encoding: \"chunked\"\r\n", chunkedSmuggle),
                Arguments.of("TE bare LF", "X: y\nTransfer-Encoding: chunked\r\n", chunkedSmuggle),
                Arguments.of("leading space header", " Transfer-Encoding: chunked\r\n", chunkedSmuggle),
                Arguments.of("two lengths", "Content-Length: 5\r\nContent-Length: " + SMUGGLED.length() + "\r\n",
                        SMUGGLED),
                Arguments.of("length list", "Content-Length: 5, " + SMUGGLED.length() + "\r\n", SMUGGLED),
                Arguments.of("signed length", "Content-Length: +" + SMUGGLED.length() + "\r\n", SMUGGLED),
                Arguments.of("negative length", "Content-Length: -1\r\n", SMUGGLED),
                Arguments.of("hex length", "Content-Length: 0x10\r\n", SMUGGLED),
                Arguments.of("huge length", "Content-Length: 99999999999999999999999\r\n", SMUGGLED),
                Arguments.of("length obs-fold", "Content-Length:\r\n " + SMUGGLED.length() + "\r\n", SMUGGLED),
                Arguments.of("NUL in header", "X-A: a\u0000b\r\nContent-Length: 0\r\n", SMUGGLED),
                Arguments.of("CR in header value", "X-A: a\rContent-Length: 0\r\n", SMUGGLED),
                Arguments.of("space in header name", "Content Length: 0\r\n", SMUGGLED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ambiguousFraming")
    void ambiguousFramingIsA400AndNothingIsSmuggled(String name, String headers, String body) throws Exception {
        RawHttp.Result result = send("POST /framing HTTP/1.1\r\nHost: mock.localhost\r\n" + headers + "\r\n" + body);

        assertThat(result.statuses()).as(name).containsExactly(400);
        assertThat(result.closed()).isTrue();
        Thread.sleep(100);
        assertThat(instance.requests()).as(name + ": requests at the instance").isEmpty();
    }

    @Test
    void transferEncodingInHttp10IsRefused() {
        RawHttp.Result result = send("POST /old HTTP/1.0\r\nHost: mock.localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n" + SMUGGLED);
        assertThat(result.statuses()).containsExactly(400);
        assertThat(instance.requests()).isEmpty();
    }

    /** h2c smuggling: an upgrade to cleartext HTTP/2 would tunnel requests the gateway never routed. */
    @Test
    void anH2cUpgradeIsNotPassedOn() {
        RawHttp.Result result = send("GET /h2c HTTP/1.1\r\nHost: mock.localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nConnection: close\r\n\r\n");

        assertThat(result.statuses()).containsExactly(200);
        RecordingBackend.Received received = instance.requestsTo("/h2c").get(0);
        assertThat(received.header("Upgrade")).isNull();
        assertThat(received.header("HTTP2-Settings")).isNull();
        assertThat(received.header("Connection")).isNull();
    }

    /**
     * WebSocket smuggling: an upgrade the instance refuses (426) must not leave a tunnel; the
     * client's next bytes are a request the gateway reads, rewrites and routes like any other.
     */
    @Test
    void aRefusedUpgradeLeavesNoTunnel() {
        RawHttp.Result result = send("GET /426 HTTP/1.1\r\nHost: mock.localhost\r\nConnection: Upgrade\r\n"
                + "Upgrade: websocket\r\nSec-WebSocket-Version: 1337\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
                + "GET /after-upgrade HTTP/1.1\r\nHost: mock.localhost\r\nX-Forwarded-For: 6.6.6.6\r\n"
                + "Connection: close\r\n\r\n");

        assertThat(result.statuses()).containsExactly(426, 200);
        RecordingBackend.Received next = instance.requestsTo("/after-upgrade").get(0);
        assertThat(next.headers("X-Forwarded-For")).containsExactly("127.0.0.1");
        assertThat(next.header("X-Request-Id")).isNotBlank();
    }

    @Test
    void requestTrailersAreNotRelayed() {
        RawHttp.Result result = send("POST /trailers HTTP/1.1\r\nHost: mock.localhost\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: evil\r\n\r\n");

        assertThat(result.statuses()).containsExactly(200);
        RecordingBackend.Received received = instance.requestsTo("/trailers").get(0);
        assertThat(received.body()).isEqualTo("abc");
        assertThat(received.trailers()).isEmpty();
        assertThat(instance.rawBytes()).doesNotContain("evil");
    }

    /** An app answering with {@code Connection: Content-Length} must not desync a shared client connection. */
    @Test
    void anInstanceCannotUnframeItsAnswerToTheClient() {
        RawHttp.Result result = send("GET /connection-header HTTP/1.1\r\nHost: mock.localhost\r\n\r\n"
                + "GET /second HTTP/1.1\r\nHost: mock.localhost\r\nConnection: close\r\n\r\n");

        assertThat(result.statuses()).containsExactly(200, 200);
        String first = result.text().substring(0, result.text().indexOf("HTTP/1.1", 1));
        assertThat(first).containsIgnoringCase("content-length: " + "ok GET /connection-header".length());
        assertThat(first).doesNotContainIgnoringCase("connection: content-length");
        assertThat(result.text()).endsWith("ok GET /second");
    }

    // ------------------------------------------------------------------ finding 7: lenient parsing

    static Stream<Arguments> unparsableRequests() {
        return Stream.of(
                Arguments.of("two Host headers", "GET /x HTTP/1.1\r\nHost: mock.localhost\r\nHost: other.localhost\r\n\r\n"),
                Arguments.of("absolute form with user info",
                        "GET http://hello.localhost:80@mock.localhost/ HTTP/1.1\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("absolute form naming another host",
                        "GET http://other.localhost/x HTTP/1.1\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("HTTP/1.2", "GET /x HTTP/1.2\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("HTTP/9.9", "GET /x HTTP/9.9\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("HTTP/2.0", "GET /x HTTP/2.0\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("NUL in path", "GET /a\u0000b HTTP/1.1\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("raw non-ASCII in path", "GET /caf\u00e9 HTTP/1.1\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("fragment", "GET /a#b HTTP/1.1\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("no leading slash", "GET a/b HTTP/1.1\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("dot-dot segment", "GET /a/../b HTTP/1.1\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("encoded dot-dot", "GET /a/%2e%2E/b HTTP/1.1\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("asterisk for GET", "GET * HTTP/1.1\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("port not a number", "GET /x HTTP/1.1\r\nHost: mock.localhost:abc\r\n\r\n"),
                Arguments.of("port too large", "GET /x HTTP/1.1\r\nHost: mock.localhost:99999\r\n\r\n"),
                Arguments.of("space in Host", "GET /x HTTP/1.1\r\nHost: mock localhost\r\n\r\n"),
                Arguments.of("user info in Host", "GET /x HTTP/1.1\r\nHost: a@mock.localhost\r\n\r\n"),
                Arguments.of("empty Host", "GET /x HTTP/1.1\r\nHost:\r\n\r\n"),
                Arguments.of("no Host in HTTP/1.1", "GET /x HTTP/1.1\r\n\r\n"),
                Arguments.of("HTTP/0.9", "GET /x\r\n\r\n"),
                Arguments.of("extra request-line field", "GET /x HTTP/1.1 x\r\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("bare LF request line", "GET /x HTTP/1.1\nHost: mock.localhost\r\n\r\n"),
                Arguments.of("bare CR", "GET /x HTTP/1.1\rHost: mock.localhost\r\n\r\n"),
                Arguments.of("header without colon", "GET /x HTTP/1.1\r\nHost: mock.localhost\r\nNoColon\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unparsableRequests")
    void requestsAStrictServerRefusesAre400sAndNeverReachTheInstance(String name, String request) throws Exception {
        RawHttp.Result result = send(request);

        assertThat(result.statuses()).as(name).containsExactly(400);
        assertThat(result.text()).contains("application/problem+json");
        assertThat(result.closed()).as(name + ": connection closed").isTrue();
        Thread.sleep(50);
        assertThat(instance.requests()).as(name + ": requests at the instance").isEmpty();
    }

    @Test
    void anAbsoluteFormTargetForTheSameHostIsServedInOriginForm() {
        RawHttp.Result result = send("GET http://MOCK.localhost:8000/abs?x=1 HTTP/1.1\r\nHost: mock.localhost\r\n"
                + "Connection: close\r\n\r\n");

        assertThat(result.statuses()).containsExactly(200);
        assertThat(instance.requestsTo("/abs?x=1")).hasSize(1);
    }

    // ------------------------------------------------------------------ finding 5: forwarded headers

    @Test
    void forwardingHeadersFromAClientAreReplacedWithWhatTheGatewaySaw() {
        RawHttp.Result result = send("GET /who HTTP/1.1\r\nHost: mock.localhost\r\nX-Forwarded-For: 6.6.6.6\r\n"
                + "X-Forwarded-For: 7.7.7.7\r\nX-Forwarded-Host: bank.example\r\nX-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Port: 443\r\nForwarded: for=6.6.6.6;proto=https\r\nX-Real-IP: 6.6.6.6\r\n"
                + "X-Forwarded-Prefix: /admin\r\nConnection: close\r\n\r\n");

        assertThat(result.statuses()).containsExactly(200);
        RecordingBackend.Received seen = instance.requestsTo("/who").get(0);
        assertThat(seen.headers("X-Forwarded-For")).containsExactly("127.0.0.1");
        assertThat(seen.headers("X-Real-IP")).containsExactly("127.0.0.1");
        assertThat(seen.headers("X-Forwarded-Host")).containsExactly("mock.localhost");
        assertThat(seen.headers("X-Forwarded-Proto")).containsExactly("http");
        assertThat(seen.headers("X-Forwarded-Port")).containsExactly(String.valueOf(proxy.port()));
        assertThat(seen.header("Forwarded")).isNull();
        assertThat(seen.header("X-Forwarded-Prefix")).isNull();
    }

    @Test
    void pipelinedRequestsEachReachTheInstanceOnceAndInOrder() throws IOException {
        RawHttp.Result result = send("GET /p1 HTTP/1.1\r\nHost: mock.localhost\r\n\r\n"
                + "POST /p2 HTTP/1.1\r\nHost: mock.localhost\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /p3 HTTP/1.1\r\nHost: mock.localhost\r\nConnection: close\r\n\r\n");

        assertThat(result.statuses()).containsExactly(200, 200, 200);
        assertThat(instance.requests()).extracting(RecordingBackend.Received::uri).containsExactly("/p1", "/p2", "/p3");
    }
}
