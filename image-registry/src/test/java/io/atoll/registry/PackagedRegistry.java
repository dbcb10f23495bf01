package io.atoll.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged registry jar as its own JVM (for failsafe *IT tests, which run after
 * {@code package}): with {@code -Xmx256m}, the dev profile, a free port, and its output
 * appended to a log file so a failure can show it.
 */
public final class PackagedRegistry {

    private final int port = freePort();
    private final Path log;
    private final RegistryClient client = new RegistryClient(port);

    public PackagedRegistry(Path log) {
        this.log = log;
    }

    public int port() {
        return port;
    }

    public RegistryClient client() {
        return client;
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Starts the jar with the given {@code --name=value} arguments and waits until its health answers 200. */
    public Process start(String... arguments) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("registry.jar", "target/image-registry-0.1.0-SNAPSHOT.jar"));
        assertThat(jar).as("the packaged registry (this test runs after package)").exists();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString(), "--spring.profiles.active=dev", "--server.port=" + port,
                // these tests kill and restart it; its start-up warm-up is RegistryWarmupTest's subject
                "--atoll.registry.warmup.enabled=false"));
        command.addAll(List.of(arguments));
        Process started = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                throw new AssertionError("registry exited with " + started.exitValue() + ":\n" + log());
            }
            try {
                if (client.get("/actuator/health").statusCode() == 200) {
                    return started;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        started.destroyForcibly();
        throw new AssertionError("registry did not become healthy:\n" + log());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
