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

/**
 * A real HTTP server standing in for an app instance: answers with its own name and echoes the
 * request headers the gateway is responsible for, as {@code Seen-*} response headers.
 * {@code /slow} takes three seconds to answer.
 */
final class TestBackend implements AutoCloseable {

    final String name;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    final Map<String, String> lastHeaders = new ConcurrentHashMap<>();

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
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().startsWith("/slow")) {
                Thread.sleep(3000);
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
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void copy(HttpExchange exchange, String from, String to) {
        String value = exchange.getRequestHeaders().getFirst(from);
        if (value != null) {
            exchange.getResponseHeaders().add(to, value);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
