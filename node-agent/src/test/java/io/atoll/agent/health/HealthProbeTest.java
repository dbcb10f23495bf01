package io.atoll.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthProbeTest {

    private final HealthProbe probe = new HealthProbe();

    @Test
    void saysWhatItSaw() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/down", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        int port = server.getAddress().getPort();
        try {
            assertThat(probe.check(port, "/ok", Duration.ofSeconds(1))).isEqualTo(new ProbeResult(true, "HTTP 204"));
            assertThat(probe.check(port, "/down", Duration.ofSeconds(1))).isEqualTo(new ProbeResult(false, "HTTP 503"));
            assertThat(probe.check(port, "/slow", Duration.ofMillis(200)))
                    .isEqualTo(new ProbeResult(false, "timed out after 200 ms"));
        } finally {
            server.stop(0);
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertThat(probe.check(closed, "/ok", Duration.ofSeconds(1))).isEqualTo(new ProbeResult(false, "connection refused"));
        assertThat(probe.check(0, "/ok", Duration.ofSeconds(1)).detail()).isEqualTo("no published port");
    }
}
