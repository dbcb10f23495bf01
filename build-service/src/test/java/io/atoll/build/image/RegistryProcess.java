package io.atoll.build.image;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Atoll's own image-registry, started from its packaged jar in the dev profile (anonymous push
 * and pull) on a free port with a storage root of its own. image-registry builds before
 * build-service in the reactor, so `./mvnw verify` has made the jar by the time this runs.
 */
public final class RegistryProcess implements AutoCloseable {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final int port;
    private final Path log;
    private final Process process;

    private RegistryProcess(int port, Path log, Process process) {
        this.port = port;
        this.log = log;
        this.process = process;
    }

    public static RegistryProcess start(Path storage) throws Exception {
        Path jar = ROOT.resolve("image-registry/target/image-registry-0.1.0-SNAPSHOT.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build-service's image tests push to Atoll's real "
                    + "registry. Build the reactor first (`./mvnw verify` from the repository root), or "
                    + "`./mvnw -pl image-registry package -DskipTests`");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = ROOT.resolve("build-service/target/image-registry-test.log");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                "--spring.profiles.active=dev",
                "--server.port=" + port,
                "--atoll.registry.storage.root=" + storage,
                // a registry for tests to push to, not to be fast from its first second (RegistryWarmupTest)
                "--atoll.registry.warmup.enabled=false"))
                .directory(storage.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
        RegistryProcess registry = new RegistryProcess(port, log, process);
        try {
            registry.awaitUp(Duration.ofSeconds(120));
        } catch (Exception e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    private void awaitUp(Duration timeout) throws Exception {
        URI health = URI.create("http://127.0.0.1:" + port + "/actuator/health");
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("image-registry exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("image-registry did not come up within " + timeout + "; see " + log);
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host() + path)).header("Accept", accept)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
