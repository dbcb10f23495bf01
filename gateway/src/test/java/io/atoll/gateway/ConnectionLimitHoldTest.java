package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
 * The per-address limit must bound the connections one address holds, not only the requests it
 * gets answered: connections over the limit that send nothing are not counted, so they must not
 * live on until the header deadline either.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.header-timeout=5s",
        "atoll.gateway.max-connections-per-address=2",
        "atoll.gateway.snapshot-file=target/test-snapshots/connection-limit-hold.json"})
class ConnectionLimitHoldTest {

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
        zk.route("held", RouteRule.forHosts(List.of("held.localhost")));
        zk.instance("held", "held-1", instance.address(), InstanceState.HEALTHY);
    }

    @AfterAll
    static void stop() throws Exception {
        instance.close();
        zk.close();
    }

    @Test
    void connectionsOverTheLimitAreNotHeldOpen() throws Exception {
        RawHttp.awaitRouted(proxy, "held.localhost");
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket counted = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
                sockets.add(counted);
                counted.getOutputStream().write("GET /counted HTTP/1.1\r\nHost: held.localhost\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
            await().atMost(Duration.ofSeconds(2)).until(() -> instance.requestsTo("/counted").size() == 2);
            List<Socket> over = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
                sockets.add(socket);
                over.add(socket);
            }
            Thread.sleep(1500);
            int stillOpen = 0;
            for (Socket socket : over) {
                socket.setSoTimeout(20);
                try {
                    if (socket.getInputStream().read() >= 0) {
                        // an answer (429) is fine; it must be followed by the close
                        socket.setSoTimeout(500);
                        socket.getInputStream().readAllBytes();
                    }
                } catch (SocketTimeoutException e) {
                    stillOpen++;
                } catch (IOException e) {
                    // reset: closed
                }
            }
            assertThat(stillOpen).as("connections over the limit of 2 still open after 1.5 s").isZero();
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
