package io.atoll.gateway;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** With {@code atoll.gateway.warmup.enabled=false} nothing holds readiness back. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.warmup.enabled=false",
        "atoll.gateway.snapshot-file=target/test-snapshots/warmup-disabled-routing.json"})
class WarmupDisabledTest {

    private static final ZkFixture zk = new ZkFixture();

    @LocalServerPort
    int managementPort;

    @DynamicPropertySource
    static void zookeeper(DynamicPropertyRegistry registry) {
        registry.add("atoll.zookeeper.connect-string", zk::connectString);
    }

    @AfterAll
    static void stop() throws Exception {
        zk.close();
    }

    @Test
    void readyAtOnce() {
        WebTestClient management = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort)
                .responseTimeout(Duration.ofSeconds(10)).build();
        // No waiting: the first look after start-up already says ready.
        management.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.components.warmup.status").isEqualTo("UP")
                .jsonPath("$.components.warmup.details.endedBy").isEqualTo("disabled")
                .jsonPath("$.components.warmup.details.requests").isEqualTo(0);
    }
}
