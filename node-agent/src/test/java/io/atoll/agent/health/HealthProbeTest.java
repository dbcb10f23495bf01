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

    @org.junit.jupiter.api.AfterEach
    void close() throws Exception {
        probe.close();
    }

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
    void sendsOneGetOfThePathAndQueryAndReadsNoBody() throws Exception {
        CompletableFuture<String> request = new CompletableFuture<>();
        try (ServerSocket server = new ServerSocket(0)) {
            serveOnce(server, socket -> {
                try {
                    request.complete(readHead(socket));
                    // A body that never ends: the probe must not wait for it.
                    OutputStream out = socket.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(3000);
                } catch (Exception e) {
                    request.completeExceptionally(e);
                }
            });
            assertThat(probe.check(server.getLocalPort(), "/health/ready?deep=1", Duration.ofSeconds(1)))
                    .isEqualTo(new ProbeResult(true, "HTTP 200"));
        }
        assertThat(request.get()).startsWith("GET /health/ready?deep=1 HTTP/1.1\n").contains("Connection: close\n")
                .contains("User-Agent: atoll-node-agent\n");
    }

    @Test
    void anAppThatDripsItsAnswerCannotHoldTheProbePastItsTimeout() throws Exception {
        // One byte of the status line, then of headers that never end, every 100 ms: every read
        // gets something, so only a deadline on the whole exchange ends it.
        for (String answer : new String[] {"HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\nX-Drip: "}) {
            try (ServerSocket server = new ServerSocket(0)) {
                serveOnce(server, socket -> {
                    try {
                        readHead(socket);
                        OutputStream out = socket.getOutputStream();
                        for (int i = 0; i < 100; i++) {
                            out.write(i < answer.length() ? answer.charAt(i) : 'x');
                            out.flush();
                            Thread.sleep(100);
                        }
                    } catch (Exception e) {
                        // the probe went away, as it should
                    }
                });
                long started = System.nanoTime();
                assertThat(probe.check(server.getLocalPort(), "/healthz", Duration.ofMillis(500)))
                        .isEqualTo(new ProbeResult(false, "timed out after 500 ms"));
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            }
        }
    }

    @Test
    void aRedirectIsNotFollowedAnywhere() throws Exception {
        CompletableFuture<String> elsewhere = new CompletableFuture<>();
        try (ServerSocket other = new ServerSocket(0); ServerSocket server = new ServerSocket(0)) {
            serveOnce(other, socket -> elsewhere.complete(readHead(socket)));
            serveOnce(server, socket -> {
                try {
                    readHead(socket);
                    socket.getOutputStream().write(("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:"
                            + other.getLocalPort() + "/internal\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    Thread.sleep(500);
                } catch (Exception e) {
                    // the probe went away
                }
            });
            assertThat(probe.check(server.getLocalPort(), "/healthz", Duration.ofSeconds(1)))
                    .isEqualTo(new ProbeResult(false, "HTTP 302"));
            Thread.sleep(200);
            assertThat(elsewhere).isNotDone();
        }
    }

    @Test
    void anAnswerWithHeadersBeyondItsBoundsIsNotHealthy() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            serveOnce(server, socket -> {
                try {
                    readHead(socket);
                    OutputStream out = socket.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(100_000) + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (Exception e) {
                    // the probe went away
                }
            });
            ProbeResult result = probe.check(server.getLocalPort(), "/healthz", Duration.ofSeconds(2));
            assertThat(result.healthy()).isFalse();
            assertThat(result.detail()).isEqualTo("Maximum line length limit exceeded");
        }
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
            // HttpClient passes over lines before a status line; then the connection is closed.
            assertThat(probe.check(server.getLocalPort(), "/healthz", Duration.ofSeconds(1)))
                    .isEqualTo(new ProbeResult(false, "connection closed before an answer"));
        }
    }

    @Test
    void aPathThatIsNotOneIsRefusedWithoutConnecting() {
        for (String path : new String[] {"healthz", "//evil.example/healthz", "/a b", "/x\r\nHost: evil", "/#top"}) {
            assertThat(probe.check(1, path, Duration.ofSeconds(1)).detail()).as(path)
                    .isEqualTo("invalid health check path " + path);
        }
    }

    private static String readHead(Socket socket) {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                head.append(line).append('\n');
            }
            return head.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
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
