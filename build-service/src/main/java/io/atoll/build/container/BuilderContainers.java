package io.atoll.build.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one build command in a builder container and hands its output over line by line.
 *
 * <p>The container is the isolation: no network unless {@code atoll.build.builder.network} names
 * one, no capabilities, no privilege gain, a read-only root file system (only the checkout, the
 * app's cache and a {@code /tmp} tmpfs are writable), bounded memory, CPU and processes, a time
 * limit, and the uid that owns the checkout rather than root's powers over the engine's host. It is
 * removed whatever happens: exit, timeout, cancel (an interrupt) or an error. Containers left by a
 * build-service that died are removed when the next one starts, so none runs on forever.
 */
public class BuilderContainers implements SmartLifecycle {

    /** Marks every builder container, with the build's id as its value. */
    public static final String LABEL = "io.atoll.build";
    static final String WORKSPACE = "/workspace";
    static final String CACHE = "/cache";
    private static final int MAX_LINE = 8192;
    private static final Logger log = LoggerFactory.getLogger(BuilderContainers.class);

    /** Which build-service made a container: only its own are left-overs to it. */
    public static final String OWNER = LABEL + ".owner";

    private final DockerClient docker;
    private final BuilderProperties properties;
    private final String owner;
    private volatile boolean running;

    /**
     * @param owner this build-service's identity, the same across its restarts (its data
     *     directory's), so that it removes its own left-over containers and never those of another
     *     build-service on the same engine
     */
    public BuilderContainers(DockerClient docker, BuilderProperties properties, String owner) {
        this.docker = docker;
        this.properties = properties;
        this.owner = owner;
    }

    /** This build-service's identity, which labels its containers. */
    public String owner() {
        return owner;
    }

    /** One build command: where it runs and what it gets. */
    public record Command(String buildId, String app, Path workspace, Path cache, String script,
            Map<String, String> env) {
    }

    /** How a build command ended. */
    public record Outcome(int exitCode, boolean timedOut, boolean outOfMemory) {
        public boolean succeeded() {
            return exitCode == 0 && !timedOut && !outOfMemory;
        }
    }

    /**
     * Runs the command to its end, passing each line it writes (stdout and stderr, in the order the
     * engine saw them) to {@code output} on a docker-java thread.
     *
     * @throws InterruptedException when cancelled: the container is killed and removed first
     */
    public Outcome run(Command command, Consumer<String> output) throws InterruptedException, IOException {
        String user = uid(command.workspace());
        List<String> envList = environment(command.env());
        HostConfig host = isolated(properties, new Bind(command.workspace().toString(), new Volume(WORKSPACE)),
                new Bind(command.cache().toString(), new Volume(CACHE)));
        String id = docker.createContainerCmd(properties.image())
                .withName("atoll-build-" + command.buildId())
                .withLabels(Map.of(LABEL, command.buildId(), LABEL + ".app", command.app(), OWNER, this.owner))
                .withEntrypoint("/bin/sh", "-c")
                .withCmd(command.script())
                .withWorkingDir(WORKSPACE)
                .withUser(user)
                .withEnv(envList)
                .withHostConfig(host)
                .exec()
                .getId();
        Lines lines = new Lines(output);
        try {
            docker.startContainerCmd(id).exec();
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true).exec(lines);
            WaitContainerResultCallback exit = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback());
            Duration timeout = properties.timeout();
            if (!exit.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(id);
                lines.awaitCompletion(5, TimeUnit.SECONDS);
                lines.flush();
                return new Outcome(-1, true, false);
            }
            int code = exit.awaitStatusCode();
            // the log stream ends when the container does; what it still carries belongs to this build
            lines.awaitCompletion(10, TimeUnit.SECONDS);
            lines.flush();
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(id).exec().getState();
            return new Outcome(code, false, Boolean.TRUE.equals(state.getOOMKilled()));
        } finally {
            closeQuietly(lines);
            remove(id);
        }
    }

    /** The uid:gid that owns a directory: a builder runs as the owner of what it writes in. */
    static String uid(Path directory) throws IOException {
        return Files.getAttribute(directory, "unix:uid") + ":" + Files.getAttribute(directory, "unix:gid");
    }

    /** A build command's environment: the app's cache as its home, and CI=true. */
    static List<String> environment(Map<String, String> commandEnv) {
        Map<String, String> env = new TreeMap<>(commandEnv);
        env.put("HOME", CACHE + "/home");
        // gradlew reads neither HOME nor the builder's mavenrc: Java's user.home is / or /root there
        env.putIfAbsent("GRADLE_USER_HOME", CACHE + "/home/.gradle");
        env.put("CI", "true");
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    /** The isolation every builder container gets (the class comment), with these mounts writable. */
    static HostConfig isolated(BuilderProperties properties, Bind... binds) {
        long memory = properties.memory().toBytes();
        return HostConfig.newHostConfig()
                .withBinds(binds)
                .withNetworkMode(properties.network())
                .withMemory(memory)
                .withMemorySwap(memory)
                .withNanoCPUs((long) (properties.cpus() * 1_000_000_000L))
                .withPidsLimit(properties.pidsLimit())
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withReadonlyRootfs(true)
                // exec: build tools unpack and load native libraries from /tmp
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,exec,size=1g"));
    }

    private void kill(String id) {
        try {
            docker.killContainerCmd(id).exec();
        } catch (RuntimeException e) {
            log.debug("Builder container {} already gone", id, e);
        }
    }

    private void remove(String id) {
        remove(docker, id, "the next start removes it");
    }

    /**
     * Removes a builder container even when the calling thread was interrupted (a cancel): nothing
     * may be left running.
     *
     * @param later what removes it if this fails, for the log
     */
    static void remove(DockerClient docker, String id, String later) {
        boolean interrupted = Thread.interrupted();
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (RuntimeException e) {
            log.warn("Could not remove builder container {}; {}", id, later, e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(Lines lines) {
        try {
            lines.close();
        } catch (IOException e) {
            // the stream is over either way
        }
    }

    /** Splits the engine's frames into lines per stream: a frame may end mid-line or mid-character. */
    private static final class Lines extends ResultCallback.Adapter<Frame> {

        private final Consumer<String> output;
        private final Map<StreamType, ByteArrayOutputStream> partial = new TreeMap<>();

        Lines(Consumer<String> output) {
            this.output = output;
        }

        @Override
        public synchronized void onNext(Frame frame) {
            ByteArrayOutputStream buffer = partial.computeIfAbsent(frame.getStreamType(),
                    t -> new ByteArrayOutputStream());
            for (byte b : frame.getPayload()) {
                if (b == '\n') {
                    emit(buffer);
                } else if (buffer.size() < MAX_LINE) {
                    buffer.write(b);
                }
            }
        }

        synchronized void flush() {
            partial.values().forEach(buffer -> {
                if (buffer.size() > 0) {
                    emit(buffer);
                }
            });
        }

        private void emit(ByteArrayOutputStream buffer) {
            String line = buffer.toString(StandardCharsets.UTF_8);
            buffer.reset();
            output.accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
    }

    /** Removes the builder containers a previous process left; their builds are already FAILED. */
    @Override
    public void start() {
        running = true;
        try {
            List<Container> left = docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(OWNER, owner)).exec();
            List<String> removed = new ArrayList<>();
            for (Container container : left) {
                remove(container.getId());
                removed.add(container.getLabels().get(LABEL));
            }
            if (!removed.isEmpty()) {
                log.warn("Removed {} builder container(s) left by a previous build-service: builds {}",
                        removed.size(), removed);
            }
        } catch (RuntimeException e) {
            log.warn("Could not look for builder containers left by a previous build-service: {}", e.toString());
        }
    }

    @Override
    public void stop() {
        running = false;
    }

    /** Before the queue starts its first builds. */
    @Override
    public int getPhase() {
        return DEFAULT_PHASE - 1;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
