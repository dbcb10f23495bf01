package io.atoll.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
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

    @Test
    void sendsOneGetOfThePathAndQueryAndGoesByTheStatusLineAlone() throws Exception {
        CompletableFuture<String> request = new CompletableFuture<>();
        try (ServerSocket server = new ServerSocket(0)) {
            serveOnce(server, socket -> {
                try {
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.US_ASCII));
                    StringBuilder head = new StringBuilder();
                    for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                        head.append(line).append('\n');
                    }
                    request.complete(head.toString());
                    // The status, then headers that never end: the probe must not wait for them.
                    OutputStream out = socket.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(3000);
                } catch (Exception e) {
                    request.completeExceptionally(e);
                }
            });
            assertThat(probe.check(server.getLocalPort(), "/health/ready?deep=1", Duration.ofSeconds(1)))
                    .isEqualTo(new ProbeResult(true, "HTTP 200"));
        }
        assertThat(request.get()).startsWith("GET /health/ready?deep=1 HTTP/1.1\n").contains("Connection: close\n");
    }

    @Test
    void aPortThatAcceptsAndClosesIsNotHealthy() throws Exception {
        // What Docker's userland proxy does while the app in the container does not listen yet.
        try (ServerSocket server = new ServerSocket(0)) {
            serveOnce(server, socket -> { });
            assertThat(probe.check(server.getLocalPort(), "/healthz", Duration.ofSeconds(1)))
                    .isEqualTo(new ProbeResult(false, "connection closed before an answer"));
        }
        try (ServerSocket server = new ServerSocket(0)) {
            serveOnce(server, socket -> {
                try {
                    socket.getOutputStream().write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // the probe went away
                }
            });
            assertThat(probe.check(server.getLocalPort(), "/healthz", Duration.ofSeconds(1)))
                    .isEqualTo(new ProbeResult(false, "not an HTTP answer"));
        }
    }

    @Test
    void aPathThatIsNotOneIsRefusedWithoutConnecting() {
        for (String path : new String[] {"healthz", "//evil.example/healthz", "/a b", "/x\r\nHost: evil", "/#top"}) {
            assertThat(probe.check(1, path, Duration.ofSeconds(1)).detail()).as(path)
                    .isEqualTo("invalid health check path " + path);
        }
    }

    /** Accepts one connection on a thread of its own, hands it to {@code handler}, then closes it. */
    private static void serveOnce(ServerSocket server, Consumer<Socket> handler) {
        Thread thread = new Thread(() -> {
            try (Socket socket = server.accept()) {
                handler.accept(socket);
            } catch (Exception e) {
                // the test is over
            }
        });
        thread.setDaemon(true);
        thread.start();
    }
}
