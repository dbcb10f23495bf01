package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** ZooKeeper going away must not take traffic down with it. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "atoll.zookeeper.session-timeout=4s",
        "atoll.zookeeper.connection-timeout=1s",
        "atoll.gateway.snapshot-file=target/test-snapshots/outage.json"})
class ZooKeeperOutageTest {

    private static final ZkFixture zk = new ZkFixture();
    private static TestBackend backend;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void zookeeper(DynamicPropertyRegistry registry) {
        registry.add("atoll.zookeeper.connect-string", zk::connectString);
    }

    @AfterAll
    static void stop() throws Exception {
        backend.close();
        zk.close();
    }

    @BeforeEach
    void zookeeperUp() throws Exception {
        if (!zk.isRunning()) {
            zk.restartServer();
            zk.client.blockUntilConnected();
        }
    }

    @Test
    @Order(1)
    void keepsServingTheLastTableWhileZooKeeperIsDown() throws Exception {
        backend = backend == null ? new TestBackend("steady") : backend;
        zk.route("steady", RouteRule.forHosts(List.of("steady.example.test")));
        zk.instance("steady", "steady-1", backend.address(), InstanceState.HEALTHY);
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
        await().atMost(Duration.ofSeconds(2)).until(() -> client.get().uri("/").header("Host", "steady.example.test")
                .exchange().returnResult(String.class).getStatus().value() == 200);

        zk.stopServer();

        WebTestClient management = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> management.get().uri("/actuator/health/zookeeper")
                .exchange().expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE));
        // Past the session timeout too: the ephemeral instance node would be gone by now, yet
        // the gateway has no way to know and keeps sending traffic where it last knew.
        Thread.sleep(4500);
        for (int i = 0; i < 5; i++) {
            client.get().uri("/").header("Host", "steady.example.test").exchange()
                    .expectStatus().isOk()
                    .expectBody(String.class).isEqualTo("steady");
        }
        management.get().uri("/actuator/health/routingTable").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.details.healthyInstances").isEqualTo(1);
        assertThat(client.get().uri("/").header("Host", "steady.localhost").exchange()
                .returnResult(String.class).getStatus()).isEqualTo(HttpStatus.OK);
    }

    /**
     * Last, and its context not reused: closing the second gateway disposes Reactor Netty's
     * global event loops, which the test's own gateway shares within this JVM.
     */
    @Test
    @Order(2)
    @DirtiesContext
    void aGatewayStartedWithoutZooKeeperServesItsDiskSnapshot() throws Exception {
        backend = backend == null ? new TestBackend("steady") : backend;
        zk.route("cold", RouteRule.forHosts(List.of("cold.example.test")));
        zk.instance("cold", "cold-1", backend.address(), InstanceState.HEALTHY);
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
        await().atMost(Duration.ofSeconds(2)).until(() -> client.get().uri("/").header("Host", "cold.example.test")
                .exchange().returnResult(String.class).getStatus().value() == 200);

        String deadZooKeeper = zk.connectString();
        zk.stopServer();
        try (ConfigurableApplicationContext restarted = new SpringApplicationBuilder(GatewayApplication.class).run(
                "--server.port=0", "--management.server.port=0",
                "--atoll.zookeeper.connect-string=" + deadZooKeeper,
                "--atoll.gateway.initial-sync-timeout=500ms",
                "--atoll.gateway.snapshot-file=target/test-snapshots/outage.json")) {
            int restartedPort = ((ReactiveWebServerApplicationContext) restarted).getWebServer().getPort();
            WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + restartedPort).build()
                    .get().uri("/").header("Host", "cold.example.test").exchange()
                    .expectStatus().isOk()
                    .expectBody(String.class).isEqualTo("steady");
        }
    }
}
