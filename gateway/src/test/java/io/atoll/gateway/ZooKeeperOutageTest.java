package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** ZooKeeper going away must not take traffic down with it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "atoll.zookeeper.session-timeout=4s",
        "atoll.zookeeper.connection-timeout=1s"})
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

    @Test
    void keepsServingTheLastTableWhileZooKeeperIsDown() throws Exception {
        backend = new TestBackend("steady");
        zk.route("steady", RouteRule.forHosts(List.of("steady.example.test")));
        zk.instance("steady", "steady-1", backend.address(), InstanceState.HEALTHY);
        WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
        await().atMost(Duration.ofSeconds(2)).until(() -> client.get().uri("/").header("Host", "steady.example.test")
                .exchange().returnResult(String.class).getStatus().value() == 200);

        zk.server.stop();

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
}
