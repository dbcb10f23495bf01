package io.atoll.build.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Volume;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.FileSystemUtils;

/**
 * Warm builders: one long-lived builder container per app running a warm Maven
 * ({@code atoll-warm-maven} in the builder image), which runs that app's Maven builds one after
 * another in one JVM. A cold build pays for starting a container, a JVM and Maven, and for
 * interpreting Maven and javac, in every build, which is most of a rebuild when the app's cache
 * already holds its dependencies (docs/benchmarks.md, Build); a warm one pays for it once per app.
 *
 * <p>The container has the isolation of any builder container ({@link BuilderContainers#isolated}),
 * and it mounts only this app's directory ({@code <data-dir>/warm/<app>}, where each build gets a
 * copy of its checkout and the warm Maven its socket) and this app's cache. It is kept between the
 * builds of that app only, never shared with another. It is removed when a build in it is
 * cancelled, times out or fails to answer (the next build starts a new one), after
 * {@code atoll.build.builder.warm.builds-per-container} builds (so that what a build leaves in the
 * JVM does not pile up), when idle for {@code idle-timeout}, when more than {@code max} apps have
 * one (the least recently used goes), and when build-service stops. A sweep every
 * {@code sweep-interval} compares the engine's warm containers of this build-service with those it
 * keeps and removes the rest, so none outlives the rules above, whatever went wrong.
 */
public class WarmBuilders implements SmartLifecycle {

    /** Marks a warm builder container, with its app as the value. */
    public static final String WARM = BuilderContainers.LABEL + ".warm";
    static final String MOUNT = "/warm";
    private static final String SOCKET = "maven.sock";
    private static final Logger log = LoggerFactory.getLogger(WarmBuilders.class);

    private final DockerClient docker;
    private final BuilderProperties properties;
    private final BuilderProperties.Warm warm;
    private final String owner;
    private final Path root;
    private final Clock clock;
    private final Map<String, Warm> apps = new ConcurrentHashMap<>();
    private ScheduledExecutorService sweeper;
    private volatile boolean running;

    /**
     * @param owner the identity of this build-service ({@link BuilderContainers})
     * @param root where each app's warm directory lives
     */
    public WarmBuilders(DockerClient docker, BuilderProperties properties, String owner, Path root, Clock clock) {
        this.docker = docker;
        this.properties = properties;
        this.warm = properties.warm();
        this.owner = owner;
        this.root = root;
        this.clock = clock;
    }

    /** One app's warm container; its lock is held while a build runs in it. */
    private static final class Warm {
        final String containerId;
        final Path directory;
        final ReentrantLock lock = new ReentrantLock();
        volatile Instant lastUsed;
        int builds;

        Warm(String containerId, Path directory, Instant started) {
            this.containerId = containerId;
            this.directory = directory;
            this.lastUsed = started;
        }
    }

    public boolean enabled() {
        return warm.enabled();
    }

    /**
     * Where a build of {@code app} must move its checkout to be built warm: a path inside the app's
     * warm directory, not there yet, which the caller deletes when the build is over.
     */
    public Path workspace(String app, String buildId) throws IOException {
        return Files.createDirectories(root.resolve(app).resolve("builds")).resolve(buildId);
    }

    /**
     * Runs Maven with {@code arguments} in {@code workspace} (from {@link #workspace}) in the app's
     * warm container, starting one when it has none, and passes each line Maven writes to
     * {@code output}.
     *
     * @return empty when the app's warm container is busy with another build, or could not start:
     *     run the build cold
     * @throws InterruptedException when cancelled: the container is removed first
     */
    public Optional<BuilderContainers.Outcome> run(String app, Path workspace, Path cache,
            Map<String, String> env, List<String> arguments, Consumer<String> output)
            throws IOException, InterruptedException {
        Warm current = apps.get(app);
        if (current != null && !current.lock.tryLock()) {
            return Optional.empty();
        }
        Warm used = current;
        try {
            if (used == null) {
                try {
                    used = start(app, workspace, cache, env, output);
                } catch (IOException | RuntimeException e) {
                    // a builder image without a warm Maven, say: the build still runs, cold
                    output.accept("[atoll] the app's warm builder did not start (" + e.getMessage()
                            + "): building in a fresh container");
                    log.warn("The warm builder of app {} did not start: {}", app, e.toString());
                    return Optional.empty();
                }
                used.lock.lock();
            }
            BuilderContainers.Outcome outcome = build(used, workspace, arguments, output);
            used.lastUsed = clock.instant();
            used.builds++;
            if (!outcome.succeeded() && outcome.exitCode() != 1 || used.builds >= warm.buildsPerContainer()) {
                // a build that did not end the usual way (Maven's failure is exit 1) may have left the JVM broken
                retire(app, used, "after " + used.builds + " build(s)");
            }
            return Optional.of(outcome);
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (used != null) {
                retire(app, used, "its build failed to run: " + e);
            }
            throw e;
        } finally {
            if (used != null && used.lock.isHeldByCurrentThread()) {
                used.lock.unlock();
            }
        }
    }

    private Warm start(String app, Path workspace, Path cache, Map<String, String> env, Consumer<String> output)
            throws IOException, InterruptedException {
        makeRoom(app);
        Path directory = root.resolve(app);
        Path socket = directory.resolve(SOCKET);
        Files.deleteIfExists(socket);
        output.accept("[atoll] starting the app's warm builder (a warm Maven, kept for its next builds)");
        String id = docker.createContainerCmd(properties.image())
                .withLabels(Map.of(BuilderContainers.LABEL, "warm-" + app, BuilderContainers.LABEL + ".app", app,
                        BuilderContainers.OWNER, owner, WARM, app))
                .withEntrypoint("atoll-warm-maven", MOUNT + "/" + SOCKET)
                .withWorkingDir(MOUNT)
                .withUser(BuilderContainers.uid(workspace))
                .withEnv(BuilderContainers.environment(env))
                .withHostConfig(BuilderContainers.isolated(properties,
                        new Bind(directory.toString(), new Volume(MOUNT)),
                        new Bind(cache.toString(), new Volume(BuilderContainers.CACHE))))
                .exec()
                .getId();
        Warm started = new Warm(id, directory, clock.instant());
        apps.put(app, started);
        try {
            docker.startContainerCmd(id).exec();
            awaitSocket(id, socket);
        } catch (IOException | RuntimeException | InterruptedException e) {
            retire(app, started, "it did not start: " + e);
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw new IOException(e.getMessage(), e);
        }
        log.info("Started warm builder {} for app {}", id.substring(0, 12), app);
        return started;
    }

    /** Until the warm Maven listens: its JVM starts in about a second. */
    private void awaitSocket(String id, Path socket) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + warm.startTimeout().toNanos();
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the warm builder did not listen within " + warm.startTimeout()
                        + " (atoll.build.builder.warm.start-timeout)");
            }
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(id).exec().getState();
            if (!Boolean.TRUE.equals(state.getRunning())) {
                throw new IOException("the warm builder exited with " + state.getExitCodeLong() + " before it listened");
            }
            Thread.sleep(20);
        }
    }

    private BuilderContainers.Outcome build(Warm used, Path workspace, List<String> arguments, Consumer<String> output)
            throws IOException, InterruptedException {
        String dir = MOUNT + "/" + used.directory.relativize(workspace).toString().replace('\\', '/');
        AtomicBoolean timedOut = new AtomicBoolean();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(used.directory.resolve(SOCKET)));
            // the channel's reads block without a timeout of their own: the timer closes it
            ScheduledFuture<?> timer = timer().schedule(() -> {
                timedOut.set(true);
                closeQuietly(channel);
            }, properties.timeout().toMillis(), TimeUnit.MILLISECONDS);
            try {
                Writer request = Channels.newWriter(channel, StandardCharsets.UTF_8);
                request.write("dir " + dir + "\n");
                for (String argument : arguments) {
                    request.write("arg " + argument + "\n");
                }
                request.write("end\n");
                request.flush();
                BufferedReader answer = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                        StandardCharsets.UTF_8));
                for (String line = answer.readLine(); line != null; line = answer.readLine()) {
                    if (line.startsWith("o ")) {
                        output.accept(line.substring(2));
                    } else if (line.startsWith("exit ")) {
                        return new BuilderContainers.Outcome(Integer.parseInt(line.substring(5).trim()), false, false);
                    }
                }
            } catch (java.nio.channels.ClosedByInterruptException e) {
                throw new InterruptedException("cancelled");
            } catch (java.nio.channels.AsynchronousCloseException e) {
                // the timer closed it
            } finally {
                timer.cancel(false);
            }
        } catch (IOException e) {
            if (!timedOut.get()) {
                throw e;
            }
        }
        if (timedOut.get()) {
            return new BuilderContainers.Outcome(-1, true, false);
        }
        // the answer ended without an exit line: the container is gone or dying
        InspectContainerResponse.ContainerState state = state(used.containerId);
        boolean oom = state != null && Boolean.TRUE.equals(state.getOOMKilled());
        return new BuilderContainers.Outcome(state == null || state.getExitCodeLong() == null ? -1
                : state.getExitCodeLong().intValue(), false, oom);
    }

    private InspectContainerResponse.ContainerState state(String id) {
        try {
            // the engine notes an OOM kill as the container ends, just after its socket closes
            for (int i = 0; i < 50; i++) {
                InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(id).exec().getState();
                if (!Boolean.TRUE.equals(state.getRunning())) {
                    return state;
                }
                Thread.sleep(20);
            }
            return docker.inspectContainerCmd(id).exec().getState();
        } catch (NotFoundException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** At most {@code max} warm containers: the least recently used idle one goes to make room. */
    private void makeRoom(String app) {
        while (apps.size() >= warm.max()) {
            Map.Entry<String, Warm> oldest = apps.entrySet().stream()
                    .filter(e -> !e.getKey().equals(app) && !e.getValue().lock.isLocked())
                    .min(java.util.Comparator.comparing(e -> e.getValue().lastUsed)).orElse(null);
            if (oldest == null) {
                return;
            }
            retire(oldest.getKey(), oldest.getValue(), "to make room for " + app
                    + " (atoll.build.builder.warm.max " + warm.max() + ")");
        }
    }

    private void retire(String app, Warm gone, String why) {
        apps.remove(app, gone);
        log.info("Removing the warm builder of app {}: {}", app, why);
        remove(gone.containerId);
        Path socket = gone.directory.resolve(SOCKET);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.debug("Could not delete {}", socket, e);
        }
    }

    private void remove(String id) {
        BuilderContainers.remove(docker, id, "the next sweep tries again");
    }

    /**
     * One pass of the reconcile loop: the idle retire, and every warm container of this
     * build-service on the engine that it does not keep (left by a failed removal, or by a
     * previous process) goes.
     */
    void sweep() {
        Instant now = clock.instant();
        apps.forEach((app, w) -> {
            if (w.lastUsed.plus(warm.idleTimeout()).isBefore(now) && w.lock.tryLock()) {
                try {
                    retire(app, w, "idle since " + w.lastUsed);
                } finally {
                    w.lock.unlock();
                }
            }
        });
        try {
            Set<String> kept = apps.values().stream().map(w -> w.containerId).collect(Collectors.toSet());
            for (Container container : docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(List.of(BuilderContainers.OWNER + "=" + owner, WARM)).exec()) {
                if (!kept.contains(container.getId())) {
                    log.info("Removing warm builder {} of app {}, which this build-service does not keep",
                            container.getId().substring(0, 12), container.getLabels().get(WARM));
                    remove(container.getId());
                }
            }
        } catch (RuntimeException e) {
            log.warn("Could not list the warm builders: {}", e.toString());
        }
    }

    /** The apps that have a warm container now. */
    public Set<String> warmApps() {
        return Set.copyOf(apps.keySet());
    }

    private ScheduledExecutorService timer() {
        ScheduledExecutorService timer = sweeper;
        if (timer == null) {
            throw new IllegalStateException("warm builders are stopped");
        }
        return timer;
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closed either way
        }
    }

    @Override
    public synchronized void start() {
        sweeper = Executors.newScheduledThreadPool(1, r -> {
            Thread thread = new Thread(r, "warm-builders");
            thread.setDaemon(true);
            return thread;
        });
        long every = warm.sweepInterval().toMillis();
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
        running = true;
    }

    /** Every warm container goes with the build-service: none runs on without it. */
    @Override
    public synchronized void stop() {
        running = false;
        if (sweeper != null) {
            sweeper.shutdownNow();
            sweeper = null;
        }
        apps.forEach((app, w) -> retire(app, w, "build-service stops"));
        FileSystemUtils.deleteRecursively(root.toFile());
    }

    /** After the queue: a running build's warm container goes only once the queue has stopped it. */
    @Override
    public int getPhase() {
        return DEFAULT_PHASE - 2;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
