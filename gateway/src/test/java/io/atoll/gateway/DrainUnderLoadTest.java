package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import io.atoll.gateway.proxy.ProxyServer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A rolling deploy as the gateway sees it, under a steady stream of requests: instances are
 * drained (DRAINING), stopped by their "agent" once in-flight requests are done, removed, and
 * new ones added. Not one request may fail.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.snapshot-file=target/test-snapshots/drain.json"})
class DrainUnderLoadTest {

    private static final ZkFixture zk = new ZkFixture();

    /** How long the "agent" waits after publishing DRAINING before stopping it (the real one: drain-delay, 2s). */
    private static final Duration DRAIN_WAIT = Duration.ofMillis(1000);

    @Autowired
    ProxyServer proxy;

    @DynamicPropertySource
    static void zookeeper(DynamicPropertyRegistry registry) {
        registry.add("atoll.zookeeper.connect-string", zk::connectString);
    }

    @AfterAll
    static void stop() throws Exception {
        zk.close();
    }

    @Test
    void drainingRemovingAndAddingInstancesUnderLoadFailsNoRequest() throws Exception {
        TestBackend a = new TestBackend("a");
        TestBackend b = new TestBackend("b");
        TestBackend c = new TestBackend("c");
        try (a; b; c) {
            zk.route("roll", RouteRule.forHosts(List.of("roll.example.test")));
            zk.instance("roll", "roll-a", a.address(), InstanceState.HEALTHY);
            WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + proxy.port())
                    .responseTimeout(Duration.ofSeconds(10)).build();
            await().atMost(Duration.ofSeconds(2)).until(() -> client.get().uri("/").header("Host", "roll.example.test")
                    .exchange().returnResult(String.class).getStatus().value() == 200);

            // A long request is in flight on "a" when it is drained: it must still be answered.
            CompletableFuture<String> longRequest = WebClient.create("http://127.0.0.1:" + proxy.port())
                    .get().uri("/pause?ms=1500").header("Host", "roll.example.test")
                    .retrieve().bodyToMono(String.class).toFuture();
            LoadClient load = new LoadClient(proxy.port(), "roll.example.test", "/pause?ms=10", 6, 20_000,
                    Duration.ofSeconds(20));
            try (load) {
                Thread.sleep(300);
                zk.instance("roll", "roll-b", b.address(), InstanceState.HEALTHY);
                Thread.sleep(500);

                retire(a, "roll-a");
                int servedByA = a.served();

                zk.instance("roll", "roll-c", c.address(), InstanceState.HEALTHY);
                Thread.sleep(500);
                retire(b, "roll-b");
                int servedByB = b.served();
                Thread.sleep(500);
                load.finish();
                System.out.printf("drain under load: %d requests, served %s, failed %d%n",
                        load.sent(), load.servedBy, load.failures.size());

                assertThat(load.failures).as("failed requests out of %d", load.sent()).isEmpty();
                assertThat(load.sent()).isGreaterThan(100);
                assertThat(load.servedBy("a")).isPositive();
                assertThat(load.servedBy("b")).isPositive();
                assertThat(load.servedBy("c")).isPositive();
                // nothing reached a stopped instance, not even to be refused and retried
                assertThat(a.served()).isEqualTo(servedByA);
                assertThat(b.served()).isEqualTo(servedByB);
            }
            assertThat(longRequest.get(5, TimeUnit.SECONDS)).isEqualTo("a");
        }
    }

    /** What a node agent does with an instance that is being removed. */
    private static void retire(TestBackend backend, String id) throws Exception {
        zk.instance("roll", id, backend.address(), InstanceState.DRAINING);
        Thread.sleep(DRAIN_WAIT.toMillis());
        backend.stopGracefully();
        zk.removeInstance("roll", id);
    }
}
