package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.ByteBufFlux;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * The gateway as a faithful HTTP/1.1 proxy: WebSockets, server-sent events and large bodies
 * pass through as streams, pipelined requests are answered in order, and malformed or oversize
 * requests get a clear 4xx. The instance is a real reactor-netty server; clients speak over TCP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.max-initial-line-length=1024",
        "atoll.gateway.max-header-size=4096",
        "atoll.gateway.snapshot-file=target/test-snapshots/protocol.json"})
class ProxyProtocolTest {

    private static final ZkFixture zk = new ZkFixture();
    private static final Sinks.Many<String> events = Sinks.many().unicast().onBackpressureBuffer();
    private static final CountDownLatch firstUploadChunkSeen = new CountDownLatch(1);
    private static DisposableServer backend;
    private static com.sun.net.httpserver.HttpServer uploads;

    @Autowired
    ProxyServer proxy;

    @DynamicPropertySource
    static void zookeeper(DynamicPropertyRegistry registry) {
        registry.add("atoll.zookeeper.connect-string", zk::connectString);
    }

    @BeforeAll
    static void start() throws Exception {
        backend = HttpServer.create().host("127.0.0.1").port(0).route(routes -> routes
                .ws("/echo", (in, out) -> out.sendString(in.receive().asString().map(text -> "echo: " + text)))
                .get("/events", (request, response) -> response
                        .header("Content-Type", "text/event-stream")
                        .sendString(events.asFlux().map(event -> "data: " + event + "\n\n")))
                .get("/hello", (request, response) -> response.sendString(Mono.just("hello " + request.uri())))
                .get("/big", (request, response) -> response.send(ByteBufFlux.fromPath(bigFile()))))
                .bindNow();
        uploads = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        uploads.createContext("/upload", exchange -> {
            MessageDigest sha = sha256();
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = exchange.getRequestBody()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    if (total == 0) {
                        firstUploadChunkSeen.countDown();
                    }
                    total += n;
                    sha.update(buffer, 0, n);
                }
            }
            byte[] answer = (total + " " + HexFormat.of().formatHex(sha.digest())).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        uploads.setExecutor(Executors.newCachedThreadPool());
        uploads.start();
        zk.route("proto", RouteRule.forHosts(List.of("proto.example.test")));
        zk.route("uploads", RouteRule.forHosts(List.of("uploads.example.test")));
        zk.instance("uploads", "uploads-1", "127.0.0.1:" + uploads.getAddress().getPort(), InstanceState.HEALTHY);
        zk.instance("proto", "proto-1", "127.0.0.1:" + backend.port(), InstanceState.HEALTHY);
    }

    @AfterAll
    static void stop() throws Exception {
        backend.disposeNow();
        uploads.stop(0);
        zk.close();
    }

    private HttpClient client() {
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.port() > 0 && rawRequest(
                "GET /hello HTTP/1.1\r\nHost: proto.example.test\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 200"));
        return HttpClient.create().host("127.0.0.1").port(proxy.port())
                .headers(headers -> headers.set("Host", "proto.example.test"));
    }

    @Test
    void webSocketMessagesFlowBothWays() {
        List<String> replies = client().websocket().uri("/echo").handle((in, out) -> out
                .sendString(Flux.just("one", "two", "three"))
                .then()
                .thenMany(in.receive().asString().take(3)))
                .collectList()
                .block(Duration.ofSeconds(10));
        assertThat(replies).containsExactly("echo: one", "echo: two", "echo: three");
    }

    /** The instance sends the second event only after the client has the first: no buffering. */
    @Test
    void serverSentEventsArriveAsTheyAreSent() {
        HttpClient client = client();
        List<String> received = client.get().uri("/events").responseContent().asString()
                .doOnSubscribe(s -> events.tryEmitNext("first"))
                .filter(text -> !text.isBlank())
                .doOnNext(text -> {
                    if (text.contains("first")) {
                        events.tryEmitNext("second");
                        events.tryEmitComplete();
                    }
                })
                .collectList()
                .block(Duration.ofSeconds(10));
        assertThat(String.join("", received)).isEqualTo("data: first\n\ndata: second\n\n");
    }

    /**
     * 64 MiB up, chunked, and the instance sees the first chunk before the client has sent the
     * second: the body is streamed, not collected first.
     */
    @Test
    void largeUploadIsStreamedToTheInstanceAndArrivesIntact() throws Exception {
        Random random = new Random(42);
        MessageDigest sha = sha256();
        int chunk = 1 << 20;
        int chunks = 64;
        Flux<byte[]> body = Flux.range(0, chunks).concatMap(i -> {
            byte[] data = new byte[chunk];
            random.nextBytes(data);
            sha.update(data);
            Mono<byte[]> next = Mono.just(data);
            // The second chunk waits until the instance has the first.
            return i == 1 ? Mono.fromCallable(() -> firstUploadChunkSeen.await(10, TimeUnit.SECONDS))
                    .then(next) : next;
        });
        String answer = client().headers(headers -> headers.set("Host", "uploads.example.test")).post().uri("/upload")
                .send(ByteBufFlux.fromInbound(body))
                .responseSingle((response, content) -> content.asString())
                .block(Duration.ofSeconds(60));
        assertThat(answer).isEqualTo((long) chunk * chunks + " " + HexFormat.of().formatHex(sha.digest()));
    }

    @Test
    void largeDownloadArrivesIntact() throws Exception {
        byte[] expected = Files.readAllBytes(bigFile());
        byte[] got = client().get().uri("/big").responseContent().aggregate().asByteArray()
                .block(Duration.ofSeconds(60));
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        client();
        String answers = rawRequest(
                "GET /hello?n=1 HTTP/1.1\r\nHost: proto.example.test\r\n\r\n"
                + "GET /hello?n=2 HTTP/1.1\r\nHost: nobody.example.test\r\n\r\n"
                + "GET /hello?n=3 HTTP/1.1\r\nHost: proto.example.test\r\nConnection: close\r\n\r\n");
        assertThat(answers.indexOf("hello /hello?n=1")).isPositive();
        assertThat(answers.indexOf("HTTP/1.1 404")).isGreaterThan(answers.indexOf("hello /hello?n=1"));
        assertThat(answers.indexOf("hello /hello?n=3")).isGreaterThan(answers.indexOf("HTTP/1.1 404"));
    }

    @Test
    void http10ClientGetsAnAnswerItCanRead() throws Exception {
        client();
        String answer = rawRequest("GET /hello HTTP/1.0\r\nHost: proto.example.test\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("transfer-encoding: chunked")
                .endsWith("hello /hello");
    }

    @Test
    void oversizeOrMalformedRequestsGetA4xxProblem() throws Exception {
        client();
        assertThat(rawRequest("GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: proto.example.test\r\n\r\n"))
                .startsWith("HTTP/1.1 414").contains("application/problem+json");
        assertThat(rawRequest("GET / HTTP/1.1\r\nHost: proto.example.test\r\nX-Big: " + "b".repeat(5000) + "\r\n\r\n"))
                .startsWith("HTTP/1.1 431").contains("application/problem+json");
        assertThat(rawRequest("CONNECT proto.example.test:443 HTTP/1.1\r\nHost: proto.example.test:443\r\n\r\n"))
                .startsWith("HTTP/1.1 405").contains("application/problem+json");
        assertThat(rawRequest("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 400").contains("the request names no host");
    }

    /** Sends bytes as they are and reads until the gateway closes the connection. */
    private String rawRequest(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static Path bigFile() {
        Path file = Path.of("target", "proxy-protocol-big.bin");
        try {
            if (!Files.exists(file) || Files.size(file) != 16 << 20) {
                byte[] data = new byte[16 << 20];
                new Random(7).nextBytes(data);
                Files.createDirectories(file.getParent());
                Files.write(file, data);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
