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
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * The other side of the smuggling corpus: what an instance answers (an early answer, a close
 * mid-request, 204 or HEAD answers that claim a body) must never leave the client's connection,
 * or a pooled instance connection, reading the wrong bytes, nor leak a buffer (Netty's leak
 * detector runs PARANOID here); and normal traffic (keep-alive, pipelining, WebSocket, SSE,
 * large uploads, HTTP/1.0) still works. The instance is a {@link ScriptedBackend} that writes exactly the bytes given.
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
        zk.route("scripted", new RouteRule(List.of("scripted.localhost"), "/", Map.of(), Map.of(), false, 0, 1500, -1));
        zk.instance("scripted", "scripted-1", scripted.address(), InstanceState.HEALTHY);
        zk.route("mock", RouteRule.forHosts(List.of("mock.localhost")));
        zk.instance("mock", "mock-1", recording.address(), InstanceState.HEALTHY);
    }

    @AfterAll
    static void stop() throws Exception {
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
