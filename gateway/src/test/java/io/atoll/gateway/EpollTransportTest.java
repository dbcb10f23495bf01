package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The rest of the suite runs on the default transport, io_uring where the kernel allows it; this
 * one keeps the epoll transport working, which is what a gateway gets where io_uring is refused
 * (Docker's default seccomp profile, {@code kernel.io_uring_disabled}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.transport=epoll",
        "atoll.gateway.snapshot-file=target/test-snapshots/epoll-transport.json"})
class EpollTransportTest {

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
        zk.route("epoll", RouteRule.forHosts(List.of("epoll.localhost")));
        zk.instance("epoll", "epoll-1", instance.address(), InstanceState.HEALTHY);
    }

    @AfterAll
    static void stop() throws Exception {
        instance.close();
        zk.close();
    }

    @Test
    void requestsAndBodiesGoThroughOnEpoll() {
        RawHttp.awaitRouted(proxy, "epoll.localhost");
        assertThat(proxy.transport()).isEqualTo("epoll");

        String body = "x".repeat(200_000);
        RawHttp.Result result = RawHttp.exchange(proxy.port(), ("GET /one HTTP/1.1\r\nHost: epoll.localhost\r\n\r\n"
                + "POST /two HTTP/1.1\r\nHost: epoll.localhost\r\nContent-Length: " + body.length() + "\r\n\r\n" + body
                + "GET /three HTTP/1.1\r\nHost: epoll.localhost\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), 3000);

        assertThat(result.statuses()).containsExactly(200, 200, 200);
        assertThat(instance.requestsTo("/two")).singleElement()
                .satisfies(seen -> assertThat(seen.body()).isEqualTo(body));
        assertThat(instance.requestsTo("/three")).hasSize(1);
    }
}
