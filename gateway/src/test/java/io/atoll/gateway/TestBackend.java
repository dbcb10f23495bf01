package io.atoll.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server standing in for an app instance: answers with its own name and echoes the
 * request headers the gateway is responsible for, as {@code Seen-*} response headers.
 * {@code /slow} takes three seconds to answer, {@code /pause?ms=N} N milliseconds.
 */
final class TestBackend implements AutoCloseable {

    static {
        // Like any real server: without it the JDK server's separate header and body writes
        // meet the client's delayed ACK, and every response takes some 40 ms on loopback.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    final String name;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();

    TestBackend(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** An address where nothing listens: connections to it are refused. */
    static String closedAddress() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + socket.getLocalPort();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        inFlight.incrementAndGet();
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().startsWith("/slow")) {
                Thread.sleep(3000);
            }
            if (exchange.getRequestURI().getPath().startsWith("/pause")) {
                String query = exchange.getRequestURI().getRawQuery();
                Thread.sleep(query != null && query.startsWith("ms=") ? Long.parseLong(query.substring(3)) : 20);
            }
            var seen = exchange.getResponseHeaders();
            copy(exchange, "X-Request-Id", "Seen-Request-Id");
            copy(exchange, "X-Forwarded-For", "Seen-Forwarded-For");
            copy(exchange, "X-Forwarded-Host", "Seen-Forwarded-Host");
            copy(exchange, "Host", "Seen-Host");
            seen.add("Seen-Path", exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            seen.add("Content-Type", "text/plain");
            served.incrementAndGet();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static void copy(HttpExchange exchange, String from, String to) {
        String value = exchange.getRequestHeaders().getFirst(from);
        if (value != null) {
            exchange.getResponseHeaders().add(to, value);
        }
    }

    /** Requests being handled right now. */
    int inFlight() {
        return inFlight.get();
    }

    /** Requests answered so far. */
    int served() {
        return served.get();
    }

    /**
     * What a node agent does after draining: stop accepting, let the requests in flight finish
     * (bounded), then go away.
     */
    void stopGracefully() throws InterruptedException {
        // HttpServer.stop(delay) of JDK 17 waits the whole delay even when idle, so wait here.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
