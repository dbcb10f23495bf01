package io.atoll.platform.e2e;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** One Atoll service started from its packaged jar as a separate process, as script/server does. */
final class ServiceProcess implements AutoCloseable {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Started and not yet stopped: killed when the test JVM exits, whatever way it exits. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "e2e-service-reaper"));
    }

    private final String name;
    private final List<String> command;
    private final Path log;
    private final URI health;
    private Process process;

    ServiceProcess(String module, String name, int healthPort, List<String> args) {
        Path jar = ROOT.resolve(module).resolve("target").resolve(module + "-0.1.0-SNAPSHOT.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the end-to-end test runs after `./mvnw package` "
                    + "has built every module (run `./mvnw verify` from the repository root)");
        }
        this.name = name;
        this.command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        this.command.addAll(args);
        this.log = ROOT.resolve("platform-api/target/e2e-logs/" + name + ".log");
        this.health = URI.create("http://127.0.0.1:" + healthPort + "/actuator/health");
    }

    /** The running process's id: the same one means the service was not restarted. */
    long pid() {
        return process.pid();
    }

    /** Ports handed out in this JVM: none twice, though each was free when asked for. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port free now and not handed out before in this JVM. The kernel may give a port just
     * closed to the next bind(0): once, platform-api's port was its embedded ZooKeeper's (CI,
     * "Port 33213 was already in use").
     */
    static int freePort() throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    ServiceProcess start() throws IOException {
        Files.createDirectories(log.getParent());
        process = new ProcessBuilder(command)
                .directory(ROOT.resolve("platform-api/target").toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        RUNNING.add(process);
        return this;
    }

    /** Waits until the service answers its actuator health (any status: it is up and serving). */
    ServiceProcess awaitUp(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200 || response.statusCode() == 503) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " did not come up within " + timeout + "; see " + log);
    }

    /** SIGTERM, as Ctrl-C in script/server would, then wait for a clean exit. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (process != null) {
            RUNNING.remove(process);
        }
    }

    /** SIGKILL, as a machine that dies would: no shutdown hook runs, its ZooKeeper session just expires. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            RUNNING.remove(process);
        }
    }

    Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
