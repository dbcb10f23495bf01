package demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Answers every request with its greeting and the instance's name; /healthz with "ok". */
public final class Hello {

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        String greeting = System.getenv().getOrDefault("GREETING", "hello");
        String instance = System.getenv().getOrDefault("ATOLL_INSTANCE", System.getenv().getOrDefault("HOSTNAME", "?"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 128);
        server.createContext("/healthz", exchange -> send(exchange, "ok\n"));
        server.createContext("/", exchange -> send(exchange, greeting + " (" + instance + ")\n"));
        server.start();
        System.out.println("java-hello listening on " + port);
    }

    private static void send(com.sun.net.httpserver.HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
