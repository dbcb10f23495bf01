package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Behind a load balancer listed in {@code atoll.gateway.trusted-proxies} (here: loopback, the
 * test's own address), its forwarding headers reach the instance with the gateway's observation
 * appended, and its many clients are not held to one address's connection limit. The untrusted
 * case is in RequestSmugglingTest.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.trusted-proxies=10.9.0.0/16, 127.0.0.0/8",
        "atoll.gateway.max-connections-per-address=1",
        "atoll.gateway.snapshot-file=target/test-snapshots/trusted-proxy.json"})
class TrustedProxyTest {

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
        zk.route("behind", RouteRule.forHosts(List.of("behind.localhost")));
        zk.instance("behind", "behind-1", instance.address(), InstanceState.HEALTHY);
    }

    @AfterAll
    static void stop() throws Exception {
        instance.close();
        zk.close();
    }

    @Test
    void aTrustedProxysForwardingHeadersAreKeptAndExtended() throws Exception {
        RawHttp.awaitRouted(proxy, "behind.localhost");

        RawHttp.Result result = RawHttp.exchange(proxy.port(), "GET /who HTTP/1.1\r\nHost: behind.localhost\r\n"
                + "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: www.example.org\r\n"
                + "X-Forwarded-Port: 443\r\nForwarded: for=203.0.113.7;proto=https\r\nX-Real-IP: 203.0.113.7\r\n"
                + "Connection: close\r\n\r\n");

        assertThat(result.statuses()).containsExactly(200);
        RecordingBackend.Received seen = instance.requestsTo("/who").get(0);
        assertThat(seen.headers("X-Forwarded-For")).containsExactly("203.0.113.7, 127.0.0.1");
        assertThat(seen.headers("X-Forwarded-Proto")).containsExactly("https");
        assertThat(seen.headers("X-Forwarded-Host")).containsExactly("www.example.org");
        assertThat(seen.headers("X-Forwarded-Port")).containsExactly("443");
        assertThat(seen.headers("X-Real-IP")).containsExactly("203.0.113.7");
        assertThat(seen.header("Forwarded")).isEqualTo("for=203.0.113.7;proto=https");
    }

    @Test
    void aTrustedProxyIsNotHeldToOneAddresssConnectionLimit() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.port() > 0);
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
                socket.setSoTimeout(3000);
                held.add(socket);
                socket.getOutputStream().write(("GET /many" + i + " HTTP/1.1\r\nHost: behind.localhost\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> instance.requestsTo("/many").size() == 3);
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }
}
