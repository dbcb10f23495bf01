package io.atoll.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.atoll.agent.config.AgentProperties;
import io.atoll.model.ContainerLabels;
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
 */
public class ContainerRuntime {

    private static final Logger log = LoggerFactory.getLogger(ContainerRuntime.class);

    private final DockerClient docker;
    private final AgentProperties properties;

    public ContainerRuntime(DockerClient docker, AgentProperties properties) {
        this.docker = docker;
        this.properties = properties;
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
        return Optional.of(new ContainerSnapshot(
                response.getId(),
                labels.get(ContainerLabels.INSTANCE),
                labels.get(ContainerLabels.RELEASE),
                running,
                state.getStartedAt(),
                state.getFinishedAt(),
                state.getExitCode(),
                running ? publishedPort(response) : 0,
                labels));
    }

    /** Pulls the image unless the engine already has it: a digest-pinned image never changes. */
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
        boolean done = pull
                .exec(new PullImageResultCallback())
                .awaitCompletion(properties.pullTimeout().toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            throw new IllegalStateException("pull of " + image + " did not finish within " + properties.pullTimeout());
        }
    }

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
        }
        CreateContainerResponse created = docker.createContainerCmd(spec.image())
                .withName(spec.name())
                .withLabels(spec.labels())
                .withEnv(spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withExposedPorts(port)
                .withHostConfig(host)
                .exec();
        return created.getId();
    }

    public void start(String containerId) {
        try {
            docker.startContainerCmd(containerId).exec();
        } catch (NotModifiedException e) {
            // Already running: the state we wanted.
        }
    }

    /** SIGTERM, then SIGKILL after the grace period; then the container is gone for good. */
    public void stopAndRemove(String containerId) {
        try {
            docker.stopContainerCmd(containerId).withTimeout((int) properties.stopGrace().toSeconds()).exec();
        } catch (NotModifiedException | NotFoundException e) {
            // Already stopped or gone.
        }
        try {
            docker.removeContainerCmd(containerId).withForce(true).exec();
        } catch (NotFoundException e) {
            // Already gone.
        }
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

    static boolean hasTagOrDigest(String image) {
        if (image.contains("@")) {
            return true;
        }
        int slash = image.lastIndexOf('/');
        return image.indexOf(':', slash + 1) >= 0;
    }
}
