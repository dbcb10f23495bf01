package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Slow and greedy clients (issue 9, finding 6): a head that trickles in is cut at the header
 * deadline with a 408, one address cannot hold more than its share of connections, and a body
 * over a route's limit is a 413 that never reaches the instance whole. Small limits, so the test
 * is quick; the defaults are in AtollGatewayProperties and docs/gateway.md.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.header-timeout=1s",
        "atoll.gateway.max-connections-per-address=4",
        "atoll.gateway.max-body-size=1000B",
        "atoll.gateway.snapshot-file=target/test-snapshots/client-limits.json"})
class ClientLimitsTest {

    private static final ZkFixture zk = new ZkFixture();
    private static final RecordingBackend instance = new RecordingBackend();

    @Autowired
    ProxyServer proxy;

    @DynamicPropertySource
    static void zookeeper(DynamicPropertyRegistry registry) {
        registry.add("atoll.zookeeper.connect-string", zk::connectString);
    }

    @BeforeAll
    static void start() throws Exception {
        zk.route("limited", RouteRule.forHosts(List.of("limited.localhost")),
                new RouteRule(List.of("limited.localhost"), "/big", Map.of(), Map.of(), false, 0, 0, 0, 5000));
        zk.instance("limited", "limited-1", instance.address(), InstanceState.HEALTHY);
    }

    @AfterAll
    static void stop() throws Exception {
        instance.close();
        zk.close();
    }

    @BeforeEach
    void ready() {
        RawHttp.awaitRouted(proxy, "limited.localhost");
        instance.clear();
    }

    private Socket connect() throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(3000);
        return socket;
    }

    @Test
    void aHeadSentOneByteAtATimeIsCutAtTheDeadlineWithA408() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            byte[] head = "GET /slow HTTP/1.1\r\nHost: limited.localhost\r\nX-Pad: aaaaaaaaaaaaaaaaaaaa\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1);
            long started = System.nanoTime();
            boolean cut = false;
            try {
                // Well inside the idle timeout each time, so only a head deadline can stop it.
                for (byte b : head) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (java.net.SocketException e) {
                cut = true;
            }
            RawHttp.Result result = RawHttp.readUntilQuietOrClosed(socket);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(result.statuses()).containsExactly(408);
            assertThat(result.text()).contains("application/problem+json");
            assertThat(result.closed()).isTrue();
            assertThat(cut || tookMillis < head.length * 100L).as("cut before the head was complete").isTrue();
        }
        assertThat(instance.requestsTo("/slow")).isEmpty();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheDeadline() throws Exception {
        try (Socket socket = connect()) {
            long started = System.nanoTime();
            RawHttp.Result result = RawHttp.readUntilQuietOrClosed(socket);
            assertThat(result.statuses()).containsExactly(408);
            assertThat(result.closed()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2900));
        }
    }

    @Test
    void anIdleKeepAliveConnectionBetweenRequestsIsNotCutByTheHeadDeadline() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /one HTTP/1.1\r\nHost: limited.localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            await().atMost(Duration.ofSeconds(2)).until(() -> !instance.requestsTo("/one").isEmpty());
            Thread.sleep(1500);
            out.write("GET /two HTTP/1.1\r\nHost: limited.localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            RawHttp.Result result = RawHttp.readUntilQuietOrClosed(socket);
            assertThat(result.statuses()).containsExactly(200, 200);
        }
    }

    @Test
    void oneAddressHoldsAtMostItsShareOfConnections() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                Socket socket = connect();
                held.add(socket);
                socket.getOutputStream().write("GET /held HTTP/1.1\r\nHost: limited.localhost\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
            await().atMost(Duration.ofSeconds(2)).until(() -> instance.requestsTo("/held").size() == 4);

            RawHttp.Result refused = RawHttp.exchange(proxy.port(),
                    "GET /fifth HTTP/1.1\r\nHost: limited.localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 2000);
            assertThat(refused.statuses()).containsExactly(429);
            assertThat(refused.closed()).isTrue();
            assertThat(instance.requestsTo("/fifth")).isEmpty();

            held.remove(0).close();
            await().atMost(Duration.ofSeconds(2)).until(() -> RawHttp.exchange(proxy.port(),
                    "GET /again HTTP/1.1\r\nHost: limited.localhost\r\nConnection: close\r\n\r\n").status() == 200);
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void aDeclaredBodyOverTheLimitIsA413BeforeTheInstanceIsAsked() {
        RawHttp.Result result = RawHttp.exchange(proxy.port(), "POST /upload HTTP/1.1\r\nHost: limited.localhost\r\n"
                + "Content-Length: 1001\r\n\r\n" + "x".repeat(1001));

        assertThat(result.statuses()).containsExactly(413);
        assertThat(result.text()).contains("application/problem+json").contains("1000 bytes");
        assertThat(result.closed()).isTrue();
        assertThat(instance.rawBytes()).isEmpty();
    }

    @Test
    void aChunkedBodyThatGrowsOverTheLimitIsA413AndNeverReachesTheInstanceWhole() throws Exception {
        String chunk = Integer.toHexString(600) + "\r\n" + "y".repeat(600) + "\r\n";
        RawHttp.Result result = RawHttp.exchange(proxy.port(), "POST /stream HTTP/1.1\r\nHost: limited.localhost\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n");

        assertThat(result.statuses()).containsExactly(413);
        assertThat(result.closed()).isTrue();
        Thread.sleep(200);
        assertThat(instance.requestsTo("/stream")).isEmpty();
        assertThat(instance.rawBytes()).doesNotContain("\r\n0\r\n\r\n");
    }

    @Test
    void aRouteMayAcceptLargerBodiesThanTheGatewayDefault() {
        RawHttp.Result result = RawHttp.exchange(proxy.port(), "POST /big/upload HTTP/1.1\r\nHost: limited.localhost\r\n"
                + "Content-Length: 4000\r\nConnection: close\r\n\r\n" + "z".repeat(4000));

        assertThat(result.statuses()).containsExactly(200);
        assertThat(instance.requestsTo("/big/upload").get(0).body()).hasSize(4000);
    }
}
