package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Stopping a gateway (a redeploy, a scale-down) loses no request: the port closes at once so a
 * load balancer moves on, and a request already in flight still gets its whole answer.
 */
class GatewayShutdownTest {

    private static final ZkFixture zk = new ZkFixture();
    private static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend("patient");
        zk.route("patient", RouteRule.forHosts(List.of("patient.example.test")));
        zk.instance("patient", "patient-1", backend.address(), InstanceState.HEALTHY);
    }

    @AfterAll
    static void stop() throws Exception {
        backend.close();
        zk.close();
    }

    @Test
    void aRequestInFlightIsAnsweredWhileTheGatewayStopsAndNewConnectionsAreRefused() throws Exception {
        ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class).run(
                "--server.port=0", "--atoll.gateway.port=0",
                "--atoll.zookeeper.connect-string=" + zk.connectString(),
                "--atoll.gateway.shutdown-grace=10s",
                "--atoll.gateway.snapshot-file=target/test-snapshots/shutdown.json");
        int port = gateway.getBean(ProxyServer.class).port();
        await().atMost(Duration.ofSeconds(5)).until(() -> get(port, "/").contains("patient"));

        CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> get(port, "/pause?ms=4000"));
        await().atMost(Duration.ofSeconds(2)).until(() -> backend.inFlight() > 0);
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(gateway::close);

        await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class));
        assertThat(inFlight.isDone()).as("the slow request is still in flight").isFalse();

        String answer = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close").endsWith("patient");
        stopping.get(15, TimeUnit.SECONDS);
    }

    /** One keep-alive request; the gateway closes the connection only when it stops. */
    private static String get(int port, String path) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: patient.example.test\r\n"
                    + (path.equals("/") ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
