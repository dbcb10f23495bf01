package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.gateway.routing.Backend;
import io.atoll.gateway.routing.RoutingTable;
import io.atoll.gateway.routing.RoutingTableWatcher;
import io.atoll.model.InstanceState;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The start-up warm-up as an operator and a stranger meet it: readiness is OUT_OF_SERVICE while
 * it runs, it sends real requests through the traffic port, and when readiness goes UP its
 * backend, its threads, its route and its request metrics are gone.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.warmup.enabled=true",
        "atoll.gateway.warmup.max-duration=6s",
        "atoll.gateway.snapshot-file=target/test-snapshots/warmup-routing.json"})
class GatewayWarmupTest {

    private static final ZkFixture zk = new ZkFixture();
    private static TestBackend shop;

    @Autowired
    ProxyServer proxy;

    @Autowired
    RoutingTableWatcher tables;

    @LocalServerPort
    int managementPort;

    @DynamicPropertySource
    static void zookeeper(DynamicPropertyRegistry registry) {
        registry.add("atoll.zookeeper.connect-string", zk::connectString);
    }

    @BeforeAll
    static void start() throws Exception {
        shop = new TestBackend("shop");
        zk.instance("shop", "shop-1", shop.address(), InstanceState.HEALTHY);
    }

    @AfterAll
    static void stop() throws Exception {
        shop.close();
        zk.close();
    }

    private WebTestClient management() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort)
                .responseTimeout(Duration.ofSeconds(10)).build();
    }

    private WebTestClient traffic() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + proxy.port())
                .responseTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void readinessWaitsForTheWarmUpWhichLeavesNothingBehind() throws Exception {
        management().get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody().jsonPath("$.components.warmup.status").isEqualTo("OUT_OF_SERVICE");

        String host = await().atMost(Duration.ofSeconds(5)).until(() -> warmupHost(tables.current()), h -> h != null);
        RoutingTable during = tables.current();
        Backend backend = during.healthy().get(host.substring(0, host.indexOf('.'))).all().get(0);
        InetSocketAddress backendAddress = new InetSocketAddress("127.0.0.1",
                Integer.parseInt(backend.authority().substring(backend.authority().lastIndexOf(':') + 1)));

        // The host is 128 random bits: one that differs is nobody's, even while the warm-up runs.
        String guess = "atoll-warmup-" + HexFormat.of().formatHex(randomBytes()) + ".localhost";
        traffic().get().uri("/").header("Host", guess).exchange().expectStatus().isNotFound();
        // Real apps are served meanwhile (a load balancer just does not send traffic yet).
        traffic().get().uri("/").header("Host", "shop.localhost").exchange().expectStatus().isOk();

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                management().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk());
        management().get().uri("/actuator/health/warmup").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.details.failed").isEqualTo(0)
                .jsonPath("$.details.requests").value(requests -> assertThat(((Number) requests).longValue()).isGreaterThan(1000));

        // After it: the warm-up's host is like any unknown host, its backend and threads are gone.
        traffic().get().uri("/").header("Host", host).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.detail").isEqualTo("no app serves host '" + host + "'");
        assertThat(warmupHost(tables.current())).isNull();
        assertThat(tables.current().apps()).isEqualTo(1);
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(backendAddress, 1000);
            }
        }).isInstanceOf(ConnectException.class);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(thread -> thread.getName().startsWith("atoll-gateway-warmup")));

        String prometheus = management().get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(prometheus).doesNotContain("atoll-warmup-").contains("atoll_gateway_warmup_requests");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(Path.of("target/test-snapshots/warmup-routing.json")));
        assertThat(Files.readString(Path.of("target/test-snapshots/warmup-routing.json"))).doesNotContain("atoll-warmup-");
    }

    private static String warmupHost(RoutingTable table) {
        return table.exactHosts().keySet().stream().filter(h -> h.startsWith("atoll-warmup-")).findFirst().orElse(null);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
