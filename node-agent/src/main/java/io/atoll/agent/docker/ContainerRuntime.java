package io.atoll.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.atoll.agent.config.AgentProperties;
import io.atoll.model.ContainerLabels;
import io.atoll.model.InstanceProblem;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker operations the agent needs, over docker-java. Ownership is by label: only
 * containers labelled {@code io.atoll.node=<this node>} are ever listed, so the agent never
 * touches anything else on the host.
 *
 * <p>A pull, create or start the engine refuses throws {@link EngineRefusedException} with the
 * engine's own message; an engine that cannot be reached throws whatever docker-java throws.
 */
public class ContainerRuntime {

    private static final Logger log = LoggerFactory.getLogger(ContainerRuntime.class);
    private static final Duration LOG_READ_TIMEOUT = Duration.ofSeconds(2);

    private final DockerClient docker;
    private final AgentProperties properties;
    private final ContainerHardening hardening;
    private final AppNetwork network;
    private final Capability[] capabilities;

    public ContainerRuntime(DockerClient docker, AgentProperties properties) {
        this(docker, properties, ContainerHardening.defaults(), new AppNetwork(docker, NetworkProperties.defaults()));
    }

    public ContainerRuntime(DockerClient docker, AgentProperties properties, ContainerHardening hardening,
            AppNetwork network) {
        this.docker = docker;
        this.properties = properties;
        this.hardening = hardening;
        this.network = network;
        // A misspelt capability stops the agent at start, not every create.
        this.capabilities = hardening.capabilities().stream()
                .map(name -> {
                    try {
                        return Capability.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replaceFirst("^CAP_", ""));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("atoll.agent.containers.capabilities: unknown capability "
                                + name, e);
                    }
                })
                .toArray(Capability[]::new);
    }

    /** This node's containers, running or not, by id. */
    public List<Container> listOwned() {
        return docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(ContainerLabels.NODE, properties.nodeId()))
                .exec();
    }

    public Optional<ContainerSnapshot> inspect(String containerId) {
        InspectContainerResponse response;
        try {
            response = docker.inspectContainerCmd(containerId).exec();
        } catch (NotFoundException e) {
            return Optional.empty();
        }
        Map<String, String> labels = response.getConfig().getLabels() == null ? Map.of() : response.getConfig().getLabels();
        InspectContainerResponse.ContainerState state = response.getState();
        boolean running = Boolean.TRUE.equals(state.getRunning());
        Long memory = response.getHostConfig() == null ? null : response.getHostConfig().getMemory();
        String error = state.getError() == null || state.getError().isBlank() ? null : state.getError().strip();
        return Optional.of(new ContainerSnapshot(
                response.getId(),
                labels.get(ContainerLabels.INSTANCE),
                labels.get(ContainerLabels.RELEASE),
                running,
                state.getStartedAt(),
                state.getFinishedAt(),
                state.getExitCode(),
                running ? publishedPort(response) : 0,
                running ? networkAddress(response, network.name()) : null,
                labels,
                Boolean.TRUE.equals(state.getOOMKilled()),
                error,
                memory == null ? 0 : memory / (1024 * 1024),
                response.getNetworkSettings() != null && response.getNetworkSettings().getNetworks() != null
                        && response.getNetworkSettings().getNetworks().containsKey(network.name())));
    }

    /**
     * Pulls the image unless the engine already has it: a digest-pinned image never changes.
     *
     * @throws EngineRefusedException {@code PULL_FAILED} when the engine or registry refused, or the pull took too long
     */
    public void ensureImage(String image) throws InterruptedException {
        try {
            docker.inspectImageCmd(image).exec();
            return;
        } catch (NotFoundException e) {
            log.info("Pulling {}", image);
        }
        // A name without tag or digest would make the engine pull every tag of the repository.
        String reference = hasTagOrDigest(image) ? image : image + ":latest";
        var pull = docker.pullImageCmd(reference);
        properties.credentialFor(image).ifPresent(login -> pull.withAuthConfig(new AuthConfig()
                .withRegistryAddress(login.registry())
                .withUsername(login.username())
                .withPassword(login.password())));
        PullImageResultCallback callback = new PullImageResultCallback();
        try {
            boolean done = pull.exec(callback).awaitCompletion(properties.pullTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                throw new EngineRefusedException(InstanceProblem.Kind.PULL_FAILED,
                        "the pull of " + image + " did not finish within " + properties.pullTimeout(), null);
            }
        } catch (RuntimeException e) {
            throw refusal(InstanceProblem.Kind.PULL_FAILED, e);
        } finally {
            closeQuietly(callback);
        }
    }

    /** @throws EngineRefusedException {@code CREATE_FAILED}, e.g. Docker's {@code No command specified} */
    public String create(ContainerSpec spec) {
        ExposedPort port = ExposedPort.tcp(spec.containerPort());
        // No host port: Docker picks a free one, read back from inspect after start.
        HostConfig host = HostConfig.newHostConfig()
                .withPortBindings(new PortBinding(Ports.Binding.bindIp("0.0.0.0"), port))
                // An init process as PID 1 forwards SIGTERM to the app and reaps its children.
                .withInit(true);
        if (spec.memoryMb() > 0) {
            host.withMemory(spec.memoryMb() * 1024 * 1024);
        }
        if (spec.cpuShares() > 0) {
            host.withCpuShares((int) spec.cpuShares());
            if (hardening.cpuBurst() > 0) {
                double cpus = Math.min(Runtime.getRuntime().availableProcessors(),
                        spec.cpuShares() / 1024.0 * hardening.cpuBurst());
                host.withNanoCPUs(Math.max(10_000_000L, (long) (cpus * 1e9)));
            }
        }
        harden(host);
        try {
            network.ensure();
        } catch (RuntimeException e) {
            throw refusal(InstanceProblem.Kind.CREATE_FAILED, e);
        }
        // On the apps' bridge: no traffic to other containers, egress as the firewall allows.
        host.withNetworkMode(network.name());
        try {
            CreateContainerResponse created = docker.createContainerCmd(spec.image())
                    .withName(spec.name())
                    .withLabels(spec.labels())
                    .withEnv(spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    .withExposedPorts(port)
                    .withHostConfig(host)
                    .exec();
            return created.getId();
        } catch (RuntimeException e) {
            throw refusal(InstanceProblem.Kind.CREATE_FAILED, e);
        }
    }

    private void harden(HostConfig host) {
        if (hardening.pidsLimit() > 0) {
            host.withPidsLimit(hardening.pidsLimit());
        }
        if (hardening.noNewPrivileges()) {
            host.withSecurityOpts(List.of("no-new-privileges"));
        }
        host.withCapDrop(Capability.ALL);
        if (capabilities.length > 0) {
            host.withCapAdd(capabilities);
        }
        if (hardening.readOnlyRootFilesystem()) {
            host.withReadonlyRootfs(true)
                    .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,mode=1777,size=" + hardening.tmpSize().toBytes()));
        }
    }

    /** @throws EngineRefusedException {@code START_FAILED}, e.g. an image whose user does not exist */
    public void start(String containerId) {
        try {
            docker.startContainerCmd(containerId).exec();
        } catch (NotModifiedException e) {
            // Already running: the state we wanted.
        } catch (RuntimeException e) {
            throw refusal(InstanceProblem.Kind.START_FAILED, e);
        }
    }

    /**
     * The last lines a container wrote to stdout and stderr since {@code previousExit} (Docker's
     * FinishedAt of the run before; null for every run), oldest first, at most {@code maxLines}
     * and {@code maxBytes} in all. The cut is at the previous exit rather than at this run's
     * StartedAt because Docker sets StartedAt once the process already runs, after the first lines
     * of a quick app. Read from Docker's log endpoint, so it works for an exited container until it
     * is started again. Empty when the logs cannot be read (e.g. a logging driver without read
     * support): a crash is reported without them rather than not at all.
     */
    public List<String> lastLogLines(String containerId, String previousExit, int maxLines, int maxBytes) {
        if (maxLines <= 0 || maxBytes <= 0) {
            return List.of();
        }
        Instant since = parseTime(previousExit);
        LogTail tail = new LogTail(maxLines, maxBytes, since);
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                synchronized (tail) {
                    tail.accept(frame.getPayload());
                }
            }
        };
        try {
            docker.logContainerCmd(containerId)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withTail(maxLines)
                    .withTimestamps(since != null)
                    .exec(callback)
                    .awaitCompletion(LOG_READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.debug("Could not read the log of container {}: {}", containerId, e.toString());
        } finally {
            closeQuietly(callback);
        }
        synchronized (tail) {
            return tail.lines();
        }
    }

    /** SIGTERM, then SIGKILL after the agent's grace period; then the container is gone for good. */
    public void stopAndRemove(String containerId) {
        stopAndRemove(containerId, properties.stopGrace());
    }

    /** SIGTERM, then SIGKILL after {@code grace}; then the container is gone for good. */
    public void stopAndRemove(String containerId, Duration grace) {
        try {
            docker.stopContainerCmd(containerId).withTimeout((int) Math.max(0, grace.toSeconds())).exec();
        } catch (NotModifiedException | NotFoundException e) {
            // Already stopped or gone.
        }
        try {
            docker.removeContainerCmd(containerId).withForce(true).exec();
        } catch (NotFoundException e) {
            // Already gone.
        }
    }

    /**
     * {@code ip:port}: the container's address on the apps' network and the port it publishes,
     * which this host reaches over the bridge without Docker's userland proxy; null when it is not
     * on that network or publishes nothing.
     */
    private static String networkAddress(InspectContainerResponse response, String networkName) {
        if (response.getNetworkSettings() == null || response.getNetworkSettings().getNetworks() == null
                || response.getNetworkSettings().getPorts() == null) {
            return null;
        }
        ContainerNetwork network = response.getNetworkSettings().getNetworks().get(networkName);
        String ip = network == null ? null : network.getIpAddress();
        if (ip == null || ip.isBlank()) {
            return null;
        }
        for (Map.Entry<ExposedPort, Ports.Binding[]> entry : response.getNetworkSettings().getPorts().getBindings().entrySet()) {
            if (entry.getKey().getProtocol() == InternetProtocol.TCP && entry.getValue() != null) {
                return ip + ":" + entry.getKey().getPort();
            }
        }
        return null;
    }

    private static int publishedPort(InspectContainerResponse response) {
        if (response.getNetworkSettings() == null || response.getNetworkSettings().getPorts() == null) {
            return 0;
        }
        for (Map.Entry<ExposedPort, Ports.Binding[]> entry : response.getNetworkSettings().getPorts().getBindings().entrySet()) {
            Ports.Binding[] bindings = entry.getValue();
            if (bindings == null) {
                continue;
            }
            for (Ports.Binding binding : bindings) {
                String hostPort = binding.getHostPortSpec();
                if (hostPort != null && !hostPort.isBlank()) {
                    return Integer.parseInt(hostPort);
                }
            }
        }
        return 0;
    }

    private static RuntimeException refusal(InstanceProblem.Kind kind, RuntimeException e) {
        if (e instanceof EngineRefusedException) {
            return e;
        }
        return EngineRefusedException.isEngineAnswer(e) ? new EngineRefusedException(kind, EngineRefusedException.messageOf(e), e) : e;
    }

    private static Instant parseTime(String timestamp) {
        try {
            return timestamp == null ? null : Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // A stream that already ended.
        }
    }

    static boolean hasTagOrDigest(String image) {
        if (image.contains("@")) {
            return true;
        }
        int slash = image.lastIndexOf('/');
        return image.indexOf(':', slash + 1) >= 0;
    }
}
