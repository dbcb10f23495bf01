package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The other side of the smuggling corpus: what an instance answers (interim answers, both
 * framing headers, a 101 nobody asked for, a bad chunk, an early answer, a close mid-request)
 * must never leave the client's connection, or a pooled instance connection, reading the wrong
 * bytes; and normal traffic (keep-alive, pipelining, WebSocket, SSE, large uploads, HTTP/1.0)
 * still works. The instance is a {@link ScriptedBackend} that writes exactly the bytes given.
 * The first tests are what a red-team review of the issue 9 fixes found (each failed before its
 * fix); the later ones what that review tried and held up. Netty's leak detector runs PARANOID.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.snapshot-file=target/test-snapshots/hostile-instance.json"})
class HostileInstanceTest {

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private static final ZkFixture zk = new ZkFixture();
    private static final ScriptedBackend scripted = new ScriptedBackend();
    private static final RecordingBackend recording = new RecordingBackend();
    private static final ListAppender<ILoggingEvent> leaks = new ListAppender<>();
    /** Accepts no connection once its backlog is full: connecting to it hangs. */
    private static ServerSocket blackhole;
    private static final List<Socket> backlog = new ArrayList<>();

    @Autowired
    ProxyServer proxy;

    @DynamicPropertySource
    static void zookeeper(DynamicPropertyRegistry registry) {
        registry.add("atoll.zookeeper.connect-string", zk::connectString);
    }

    @BeforeAll
    static void start() throws Exception {
        leaks.setName("leak-reports");
        leaks.start();
        blackhole = new ServerSocket();
        blackhole.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        for (int i = 0; i < 3; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(blackhole.getLocalSocketAddress(), 300);
                backlog.add(filler);
            } catch (java.io.IOException e) {
                filler.close();
            }
        }
        zk.route("scripted", new RouteRule(List.of("scripted.localhost"), "/", Map.of(), Map.of(), false, 0, 1500, -1));
        zk.instance("scripted", "scripted-1", scripted.address(), InstanceState.HEALTHY);
        zk.route("mock", RouteRule.forHosts(List.of("mock.localhost")));
        zk.instance("mock", "mock-1", recording.address(), InstanceState.HEALTHY);
        zk.route("query", new RouteRule(List.of("query.localhost"), "/", Map.of(), Map.of("v", "1"), false, 0, 0, 0));
        zk.instance("query", "query-1", recording.address(), InstanceState.HEALTHY);
        zk.route("blackhole", new RouteRule(List.of("blackhole.localhost"), "/", Map.of(), Map.of(), false, 3000, 0, -1));
        zk.instance("blackhole", "blackhole-1", "127.0.0.1:" + blackhole.getLocalPort(), InstanceState.HEALTHY);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Socket socket : backlog) {
            socket.close();
        }
        blackhole.close();
        scripted.close();
        recording.close();
        zk.close();
    }

    private static boolean routed;

    @BeforeEach
    void ready() {
        // Spring Boot resets logging when the context starts: attach the leak listener afterwards.
        Logger leakLogger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        if (leakLogger.getAppender(leaks.getName()) == null) {
            leakLogger.addAppender(leaks);
        }
        if (!routed) {
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.port() > 0
                    && RawHttp.exchange(proxy.port(), "GET /ready HTTP/1.1\r\nHost: scripted.localhost\r\n"
                            + "Connection: close\r\n\r\n").status() == 200
                    && RawHttp.exchange(proxy.port(), "GET /ready HTTP/1.1\r\nHost: mock.localhost\r\n"
                            + "Connection: close\r\n\r\n").status() == 200
                    && RawHttp.exchange(proxy.port(), "GET /ready?v=1 HTTP/1.1\r\nHost: query.localhost\r\n"
                            + "Connection: close\r\n\r\n").status() == 200);
            routed = true;
        }
        scripted.clear();
        recording.clear();
    }

    private RawHttp.Result send(String request) {
        return RawHttp.exchange(proxy.port(), request.getBytes(StandardCharsets.ISO_8859_1), 2500);
    }

    private static final String AFTER = "GET /after HTTP/1.1\r\nHost: scripted.localhost\r\nConnection: close\r\n\r\n";

    // ------------------------------------------------------------------ interim answers

    @Test
    void earlyHintsThenTheAnswerThenAPipelinedRequest() {
        scripted.script("/hints", ScriptedBackend.Script.of("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhints"));

        RawHttp.Result result = send("GET /hints HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n" + AFTER);

        assertThat(result.statuses()).containsExactly(103, 200, 200);
        assertThat(result.text()).contains("\r\n\r\nhintsHTTP/1.1 200").endsWith("ok GET /after");
    }

    @Test
    void earlyHintsForAHeadRequestLeaveTheConnectionInStep() {
        scripted.script("/hints-head", ScriptedBackend.Script.of("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));

        RawHttp.Result result = send("HEAD /hints-head HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n" + AFTER);

        assertThat(result.statuses()).containsExactly(103, 200, 200);
        assertThat(result.text()).endsWith("ok GET /after");
    }

    /** An instance must not be able to open a tunnel the client never asked for. */
    @Test
    void aSwitchingProtocolsAnswerToAPlainRequestIsABadGateway() throws Exception {
        scripted.script("/switch", ScriptedBackend.Script.of("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n\r\nRAW-BYTES-AFTER-101"));
        leaks.list.clear();

        RawHttp.Result result = send("GET /switch HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n");

        assertThat(result.statuses()).as(result.text()).doesNotContain(101);
        assertThat(result.statuses()).containsExactly(502);
        assertNoLeaks();
    }

    // ------------------------------------------------------------------ framing of answers

    /** RFC 9112 §6.3: Transfer-Encoding wins, and the connection is not reused. */
    @Test
    void anAnswerWithBothLengthAndChunkedNeverDesyncsTheClientOrThePool() {
        scripted.script("/clte", ScriptedBackend.Script.of("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));

        RawHttp.Result result = send("GET /clte HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n" + AFTER);

        assertThat(result.text()).as(result.text()).doesNotContain("999");
        assertThat(result.text()).endsWith("ok GET /after");
        List<ScriptedBackend.Received> clte = scripted.requestsTo("/clte");
        List<ScriptedBackend.Received> after = scripted.requestsTo("/after");
        assertThat(after).hasSize(1);
        assertThat(after.get(0).connection()).as("the connection that sent both lengths is not reused")
                .isNotEqualTo(clte.get(0).connection());
    }

    @Test
    void aMalformedChunkInAnAnswerCutsTheClientAndIsNotPooled() {
        scripted.script("/badchunk", ScriptedBackend.Script.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "zz\r\nhello\r\n0\r\n\r\n"));

        RawHttp.Result result = send("GET /badchunk HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n" + AFTER);

        // The answer has started: the client can only learn of the failure by the cut; it must not
        // receive a well-terminated chunked body, nor anything after it on this connection.
        assertThat(result.closed()).isTrue();
        assertThat(result.text()).doesNotContain("\r\n0\r\n\r\n");
        long started = System.nanoTime();
        RawHttp.Result next = send(AFTER);
        assertThat(next.statuses()).containsExactly(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1000));
    }

    @Test
    void anUnparsableStatusLineIsABadGatewayAndThePoolStaysClean() {
        scripted.script("/badstatus", ScriptedBackend.Script.of("HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok"));

        RawHttp.Result result = send("GET /badstatus HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n" + AFTER);

        assertThat(result.statuses()).as(result.text()).containsExactly(502, 200);
    }

    @Test
    void aBodyAnInstanceWronglySendsAfterAHeadAnswerDoesNotBecomeTheNextAnswer() {
        scripted.script("/headbody", ScriptedBackend.Script.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));

        RawHttp.Result result = send("HEAD /headbody HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n" + AFTER);

        assertThat(result.statuses()).as(result.text()).containsExactly(200, 200);
        assertThat(result.text()).endsWith("ok GET /after");
    }

    // ------------------------------------------------------------------ early answers and closes

    /** A client gone while its instance connection is still being made: the body it sent is freed. */
    @Test
    void aClientThatLeavesWhileTheInstanceConnectionIsPendingLeaksNothing() throws Exception {
        leaks.list.clear();
        for (int i = 0; i < 20; i++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                socket.getOutputStream().write(("POST /leak HTTP/1.1\r\nHost: blackhole.localhost\r\n"
                        + "Content-Length: 5\r\n\r\nhello").getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                Thread.sleep(20);
            }
        }
        // Each abandoned connect's socket is closed with its exchange, well before the rule's 3 s
        // connect timeout would have ended it: no half-open sockets pile up behind leaving clients.
        await().atMost(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(50))
                .until(() -> connectsUnderWayTo(blackhole.getLocalPort()) == 0);
        // The connects give up after 3 s; the exchanges are finished long before.
        Thread.sleep(3500);
        assertNoLeaks();
    }

    /** Sockets of this host still connecting (SYN sent) to {@code port}, as {@code ss} lists them. */
    private static int connectsUnderWayTo(int port) throws Exception {
        Process ss = new ProcessBuilder("ss", "-Htn", "state", "syn-sent", "( dport = :" + port + " )")
                .redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ss.waitFor()).as("ss: " + out).isZero();
        return (int) out.lines().filter(line -> !line.isBlank()).count();
    }

    /**
     * An instance whose listen queue is full never completes the connect: the rule's connect
     * timeout (3 s) ends it with a 504 problem, neither a hang nor a 502. (The gateway's own timer
     * covers the connect; Netty's connect timeout is off.)
     */
    @Test
    void aConnectThatNeverCompletesIsA504AfterTheConnectTimeout() {
        long start = System.nanoTime();
        RawHttp.Result result = RawHttp.exchange(proxy.port(), ("GET /slow-connect HTTP/1.1\r\nHost: blackhole.localhost\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), 8000);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(result.statuses()).containsExactly(504);
        assertThat(result.text()).contains("did not accept the connection in time");
        assertThat(millis).isBetween(2900L, 6000L);
    }

    // ------------------------------------------------------------------ normal traffic

    @Test
    void http10KeepAliveGetsAnAnswerItCanDelimit() {
        scripted.script("/eof", ScriptedBackend.Script.closing("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil-close"));

        RawHttp.Result result = send("GET /eof HTTP/1.0\r\nHost: scripted.localhost\r\nConnection: keep-alive\r\n\r\n");

        assertThat(result.statuses()).containsExactly(200);
        assertThat(result.text()).endsWith("until-close");
        boolean delimited = result.closed() || result.text().toLowerCase().contains("content-length: 11");
        assertThat(delimited).as("an HTTP/1.0 keep-alive client can tell where the body ends:\n" + result.text())
                .isTrue();
    }

    // ------------------------------------------------------------------ bad input, forwarded headers

    /** A rule with a query matcher decodes the query: a bad escape is the client's fault, never a reset. */
    @Test
    void aMalformedQueryEscapeOnARouteWithAQueryMatcherIsAnswered() {
        RawHttp.Result result = send("GET /x?v=%zz HTTP/1.1\r\nHost: query.localhost\r\nConnection: close\r\n\r\n");

        assertThat(result.statuses()).as("an answer, not a dropped connection").hasSize(1);
        assertThat(result.status()).isBetween(400, 499);
    }

    /** CGI, PHP, WSGI and Rack fold '_' and '-' together: an underscore spelling must not slip through. */
    @Test
    void underscoreSpellingsOfForwardingHeadersDoNotReachTheInstance() {
        RawHttp.Result result = send("GET /who HTTP/1.1\r\nHost: mock.localhost\r\nX_Forwarded_For: 6.6.6.6\r\n"
                + "X-Real_IP: 6.6.6.6\r\nX_Forwarded_Proto: https\r\nConnection: close\r\n\r\n");

        assertThat(result.statuses()).containsExactly(200);
        RecordingBackend.Received seen = recording.requestsTo("/who").get(0);
        assertThat(seen.header("X_Forwarded_For")).isNull();
        assertThat(seen.header("X-Real_IP")).isNull();
        assertThat(seen.header("X_Forwarded_Proto")).isNull();
    }

    @Test
    void anH2cTokenAnywhereInUpgradeIsNotPassedOn() {
        RawHttp.Result result = send("GET /h2c-list HTTP/1.1\r\nHost: mock.localhost\r\nConnection: Upgrade\r\n"
                + "Upgrade: websocket, h2c\r\nConnection: close\r\n\r\n");

        assertThat(result.statuses()).containsExactly(200);
        RecordingBackend.Received seen = recording.requestsTo("/h2c-list").get(0);
        assertThat(String.valueOf(seen.header("Upgrade"))).doesNotContainIgnoringCase("h2c");
    }

    // ------------------------------------------------------------------ what held up in the review (issue 9)

    // ------------------------------------------------------------------ framing of answers

    @Test
    void noContentWithChunkedFromAnInstanceKeepsThePipelineInStep() {
        scripted.script("/nocontent", ScriptedBackend.Script.of("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"));

        RawHttp.Result result = send("GET /nocontent HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n" + AFTER);

        assertThat(result.statuses()).containsExactly(204, 200);
        assertThat(result.text()).endsWith("ok GET /after");
        assertThat(result.text().substring(0, result.text().indexOf("HTTP/1.1 200")))
                .doesNotContainIgnoringCase("transfer-encoding");
    }

    @Test
    void aHeadAnswerSayingChunkedKeepsThePipelineInStep() {
        scripted.script("/headchunked", ScriptedBackend.Script.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));

        RawHttp.Result result = send("HEAD /headchunked HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n" + AFTER);

        assertThat(result.statuses()).containsExactly(200, 200);
        assertThat(result.text()).endsWith("ok GET /after");
    }

    // ------------------------------------------------------------------ early answers and closes

    @Test
    void anEarlyAnswerClosesTheClientAndTheRestOfTheBodyIsNeverARequest() throws Exception {
        leaks.list.clear();
        scripted.script("/early", ScriptedBackend.Script.early("HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\n\r\nnope"));
        String hidden = "GET /smuggled HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /early HTTP/1.1\r\nHost: scripted.localhost\r\nContent-Length: " + hidden.length()
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            await().atMost(Duration.ofSeconds(2)).until(() -> !scripted.requestsTo("/early").isEmpty());
            Thread.sleep(200);
            try {
                out.write((hidden + "GET /smuggled-too HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (java.io.IOException e) {
                // closed already: fine
            }
            RawHttp.Result result = RawHttp.readUntilQuietOrClosed(socket);
            assertThat(result.statuses()).containsExactly(403);
            assertThat(result.text()).containsIgnoringCase("connection: close");
            assertThat(result.closed()).isTrue();
        }
        Thread.sleep(200);
        assertThat(scripted.requestsTo("/smuggled")).isEmpty();
        assertNoLeaks();
    }

    @Test
    void anInstanceThatClosesMidBodyIsABadGatewayAndTheNextPipelinedRequestIsServedOnce() {
        scripted.script("/die", ScriptedBackend.Script.early(""));

        RawHttp.Result result = send("POST /die HTTP/1.1\r\nHost: scripted.localhost\r\nContent-Length: 10\r\n\r\n0123456789"
                + AFTER);

        // The request was whole and keep-alive: the client gets its 502 and its next request is served.
        assertThat(result.statuses()).containsExactly(502, 200);
        assertThat(result.text()).endsWith("ok GET /after");
        assertThat(scripted.requestsTo("/after")).hasSize(1);
    }

    @Test
    void anInstanceThatClosesBeforeTheBodyIsWholeIsABadGatewayAndTheClientIsClosed() throws Exception {
        scripted.script("/die-early", ScriptedBackend.Script.early(""));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(2500);
            OutputStream out = socket.getOutputStream();
            out.write("POST /die-early HTTP/1.1\r\nHost: scripted.localhost\r\nContent-Length: 60\r\n\r\n0123"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(800);
            try {
                // The rest of the body hides a request: it must never be read as one.
                out.write(("GET /smuggled HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n" + "x".repeat(4))
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (java.io.IOException e) {
                // closed already: fine
            }
            RawHttp.Result result = RawHttp.readUntilQuietOrClosed(socket);
            assertThat(result.statuses()).containsExactly(502);
            assertThat(result.closed()).isTrue();
        }
        assertThat(scripted.requestsTo("/smuggled")).isEmpty();
    }

    // ------------------------------------------------------------------ normal traffic

    @Test
    void http10WithoutKeepAliveIsAnsweredAndClosed() {
        RawHttp.Result result = send("GET /plain10 HTTP/1.0\r\nHost: scripted.localhost\r\n\r\n");

        assertThat(result.statuses()).containsExactly(200);
        assertThat(result.text()).endsWith("ok GET /plain10");
        assertThat(result.closed()).isTrue();
    }

    @Test
    void serverSentEventsAreRelayedAsTheyCome() throws Exception {
        scripted.script("/sse", ScriptedBackend.Script.streamed(1500, true,
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: 1\n\n", "data: 2\n\n"));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(1000);
            socket.getOutputStream().write("GET /sse HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String seen = readUntil(socket.getInputStream(), "data: 1\n\n");
            assertThat(seen).contains("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
            socket.setSoTimeout(3000);
            assertThat(readUntil(socket.getInputStream(), "0\r\n\r\n")).contains("data: 2\n\n");
        }
    }

    @Test
    void aWebSocketTunnelRelaysBothWays() throws Exception {
        leaks.list.clear();
        scripted.script("/ws", ScriptedBackend.Script.tunnel("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: scripted.localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(readUntil(socket.getInputStream(), "\r\n\r\n")).startsWith("HTTP/1.1 101");
            out.write("\u0081\u0005hello".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(readUntil(socket.getInputStream(), "hello")).isEqualTo("\u0081\u0005hello");
            out.write("GET /not-http HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(readUntil(socket.getInputStream(), "\r\n\r\n")).isEqualTo("GET /not-http HTTP/1.1\r\n\r\n");
        }
        ScriptedBackend.Received upgrade = scripted.requestsTo("/ws").get(0);
        assertThat(upgrade.head().toLowerCase()).contains("upgrade: websocket").contains("connection: upgrade");
        assertNoLeaks();
    }

    @Test
    void aLargeChunkedUploadArrivesWhole() throws Exception {
        byte[] piece = "0123456789abcdef".repeat(4096).getBytes(StandardCharsets.ISO_8859_1);
        int pieces = 96;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(10000);
            OutputStream out = socket.getOutputStream();
            out.write("POST /upload HTTP/1.1\r\nHost: mock.localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < pieces; i++) {
                out.write((Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(piece);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            RawHttp.Result result = RawHttp.readUntilQuietOrClosed(socket);
            assertThat(result.statuses()).containsExactly(200);
        }
        assertThat(recording.requestsTo("/upload").get(0).body()).hasSize(piece.length * pieces);
    }

    @Test
    void keepAliveReusesOneInstanceConnection() throws Exception {
        int before = scripted.connections();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout(2000);
            for (int i = 0; i < 5; i++) {
                socket.getOutputStream().write(("GET /ka" + i + " HTTP/1.1\r\nHost: scripted.localhost\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                assertThat(readUntil(socket.getInputStream(), "ok GET /ka" + i)).contains("200 OK");
            }
        }
        assertThat(scripted.connections() - before).isLessThanOrEqualTo(1);
    }

    // ------------------------------------------------------------------ bad input, forwarded headers

    /** Case, a trailing dot and a port do not move a request to another app, nor does an absolute target. */
    @Test
    void aHostIsRoutedToItsOwnerHoweverItIsSpelled() {
        RawHttp.Result spelled = send("GET /spelled HTTP/1.1\r\nHost: MOCK.LocalHost.:8000\r\nConnection: close\r\n\r\n");
        assertThat(spelled.statuses()).containsExactly(200);
        assertThat(recording.requestsTo("/spelled")).hasSize(1);
        assertThat(scripted.requestsTo("/spelled")).isEmpty();

        RawHttp.Result absolute = send("GET http://scripted.localhost/abs HTTP/1.1\r\nHost: mock.localhost\r\n\r\n");
        assertThat(absolute.statuses()).containsExactly(400);
        assertThat(recording.requestsTo("/abs")).isEmpty();
        assertThat(scripted.requestsTo("/abs")).isEmpty();
    }


    // ------------------------------------------------------------------ helpers

    private void assertNoLeaks() throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            // Every allocation under PARANOID reports what the collector found.
            for (int j = 0; j < 5; j++) {
                RawHttp.exchange(proxy.port(), "POST /gc HTTP/1.1\r\nHost: mock.localhost\r\nContent-Length: 3\r\n"
                        + "Connection: close\r\n\r\nabc");
            }
        }
        // The detector is global to the JVM: buffers of reactor-netty clients of other test
        // classes are reported here too. Only reports that never passed reactor-netty's pipeline,
        // or that passed the gateway's code, are the gateway's.
        assertThat(leaks.list).extracting(ILoggingEvent::getFormattedMessage)
                .filteredOn(report -> report.contains("io.atoll.gateway") || !report.contains("'reactor."))
                .as("Netty leak reports").isEmpty();
    }

    private static String readUntil(InputStream in, String end) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        while (true) {
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no '" + end.replace("\r\n", "\\r\\n") + "' in time; got: "
                        + seen.toString(StandardCharsets.ISO_8859_1), e);
            }
            if (b < 0) {
                throw new AssertionError("closed; got: " + seen.toString(StandardCharsets.ISO_8859_1));
            }
            seen.write(b);
            String text = seen.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith(end)) {
                return text;
            }
        }
    }
}
