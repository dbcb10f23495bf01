package io.atoll.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on a free port that answers as platform-api does: JSON bodies,
 * problem+json refusals (401 when the bearer token is not the one issued), streamed
 * server-sent events and NDJSON. platform-api itself builds after this module, so the CLI's
 * tests talk to this; the end-to-end test in platform-api runs the jar against the real one.
 */
final class FakeApi implements AutoCloseable {

    /** One request as it arrived. */
    record Request(String method, String path, String query, Map<String, List<String>> headers, String body) {

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    @FunctionalInterface
    interface Handler {
        void handle(Request request, HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, Handler> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    /** When set, every call but POST /api/v1/tokens needs {@code Authorization: Bearer <token>}. */
    private volatile String requiredToken;

    FakeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::serve);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    FakeApi on(String method, String path, Handler handler) {
        routes.put(method + " " + path, handler);
        return this;
    }

    FakeApi requireToken(String token) {
        requiredToken = token;
        return this;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requests(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()), body);
            requests.add(request);
            String token = requiredToken;
            boolean issuing = request.method().equals("POST") && request.path().equals("/api/v1/tokens");
            if (token != null && !issuing && !("Bearer " + token).equals(request.header("Authorization"))) {
                send(exchange, 401, "application/problem+json",
                        "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                                + "\"detail\":\"the API token is not valid\"}");
                return;
            }
            Handler handler = routes.get(request.method() + " " + request.path());
            if (handler == null) {
                send(exchange, 404, "application/problem+json", problemBody(404, "Not Found",
                        "no route " + request.method() + " " + request.path()));
                return;
            }
            handler.handle(request, exchange);
        }
    }

    static Handler json(int status, String body) {
        return (request, exchange) -> send(exchange, status, "application/json", body);
    }

    static Handler noContent() {
        return (request, exchange) -> exchange.sendResponseHeaders(204, -1);
    }

    static Handler problem(int status, String title, String detail) {
        return (request, exchange) -> send(exchange, status, "application/problem+json", problemBody(status, title, detail));
    }

    static String problemBody(int status, String title, String detail) {
        return "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\""
                + detail + "\"}";
    }

    static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Starts a streamed (chunked) 200 answer and returns its body, to write and flush piece by piece. */
    static OutputStream stream(HttpExchange exchange, String type) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    /** One server-sent event as Spring's SseEmitter writes it (the data a JSON object). */
    static void event(OutputStream out, long id, String name, String data) throws IOException {
        out.write(("id:" + id + "\nevent:" + name + "\ndata:" + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
