package io.atoll.build.pipeline;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Maven repository manager for builder containers, as an organisation's Nexus would be: it
 * serves what this machine's own Maven repository holds (the reactor's build has filled it), and
 * fetches the rest from Maven Central once. It counts requests, so a test can tell that a rebuild
 * came from the app's cache without asking it for anything. Listens on every address: builder
 * containers reach it through the bridge network's gateway.
 */
public final class MavenMirror implements AutoCloseable {

    private static final Path LOCAL = Path.of(System.getProperty("user.home"), ".m2", "repository");
    private static final URI CENTRAL = URI.create("https://repo.maven.apache.org/maven2/");

    private final HttpServer server;
    private final Path fetched;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final AtomicInteger requests = new AtomicInteger();

    private MavenMirror(Path fetched) throws IOException {
        this.fetched = fetched;
        this.server = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::serve);
        server.start();
    }

    public static MavenMirror start(Path fetched) throws IOException {
        return new MavenMirror(Files.createDirectories(fetched));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    private void serve(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(1);
            if (path.contains("..") || path.contains("//") || path.isEmpty()
                    || !(exchange.getRequestMethod().equals("GET") || exchange.getRequestMethod().equals("HEAD"))) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            Path file = LOCAL.resolve(path);
            // maven-metadata.xml lists what a remote holds: only the remote's own copy says that
            if (!Files.isRegularFile(file) || path.endsWith("maven-metadata.xml")) {
                file = fetch(path);
            }
            if (file == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(200, head ? -1 : Files.size(file));
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    Files.copy(file, out);
                }
            }
        }
    }

    private Path fetch(String path) throws IOException {
        Path file = fetched.resolve(path);
        if (Files.isRegularFile(file)) {
            return file;
        }
        try {
            HttpResponse<Path> response = http.send(HttpRequest.newBuilder(CENTRAL.resolve(path))
                    .timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofFile(Files.createTempFile(fetched, "fetch", ".part")));
            if (response.statusCode() != 200) {
                Files.deleteIfExists(response.body());
                return null;
            }
            Files.createDirectories(file.getParent());
            return Files.move(response.body(), file, StandardCopyOption.REPLACE_EXISTING);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
