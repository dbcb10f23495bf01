package io.atoll.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import io.atoll.model.Assignment;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.Resources;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 3: every app container is confined, whatever its image asks. Checked from inside
 * the running container (what the app can and cannot do), not only from Docker's view of it.
 */
class ContainerHardeningDockerTest extends AgentDockerTestSupport {

    @Test
    void anAppKeepsOnlyTheCapabilitiesAServerNeedsCannotGainPrivilegesAndHasAProcessLimitAndACpuQuota()
            throws Exception {
        startAgent(zookeeper.getConnectString(), "atoll.agent.containers.pids-limit=64");
        String container = run(new Resources(64, 256, 1));

        // CHOWN, SETGID, SETUID, NET_BIND_SERVICE: bits 0, 6, 7 and 10, and nothing else
        String status = exec(container, "cat /proc/self/status");
        assertThat(status).contains("CapEff:\t00000000000004c1").contains("CapBnd:\t00000000000004c1")
                .contains("NoNewPrivs:\t1");
        // Docker's default set would allow this (CAP_MKNOD)
        assertThat(exec(container, "mknod /tmp/null c 1 3 && echo MADE")).contains("Operation not permitted")
                .doesNotContain("MADE");
        // the image's filesystem stays writable unless asked otherwise
        assertThat(exec(container, "touch /made && echo MADE")).contains("MADE");
        // 64 tasks at most: a fork bomb ends there, not in the host's process table
        String forks = exec(container, "for i in $(seq 100); do sleep 3 & done; echo forked; wait");
        assertThat(forks).contains("can't fork");

        InspectContainerResponse inspected = docker.inspectContainerCmd(container).exec();
        assertThat(inspected.getHostConfig().getPidsLimit()).isEqualTo(64L);
        assertThat(inspected.getHostConfig().getSecurityOpts()).contains("no-new-privileges");
        assertThat(inspected.getHostConfig().getCapDrop()).containsExactly(Capability.ALL);
        assertThat(inspected.getHostConfig().getMemory()).isEqualTo(64L * 1024 * 1024);
        // 256 shares are a quarter of a CPU; with the default burst of 4, one CPU at most
        assertThat(inspected.getHostConfig().getCpuShares()).isEqualTo(256);
        assertThat(inspected.getHostConfig().getNanoCPUs()).isEqualTo(Math.min(1_000_000_000L,
                Runtime.getRuntime().availableProcessors() * 1_000_000_000L));
    }

    @Test
    void aReadOnlyRootFilesystemLeavesTmpWritable() throws Exception {
        startAgent(zookeeper.getConnectString(), "atoll.agent.containers.read-only-root-filesystem=true",
                "atoll.agent.containers.tmp-size=8MB");
        String container = run(new Resources(64, 256, 1));

        assertThat(exec(container, "touch /made && echo MADE")).contains("Read-only file system")
                .doesNotContain("MADE");
        assertThat(exec(container, "touch /tmp/made && echo MADE")).contains("MADE");
        assertThat(exec(container, "df -k /tmp")).contains("8192");
    }

    /** Assigns one instance of the demo app and waits until it serves; returns its container id. */
    private String run(Resources resources) throws Exception {
        String instance = newInstanceId();
        assign(new Assignment(instance, "hardened", "r1", IMAGE, Map.of(), 8080, resources, null, List.of(), false));
        InstanceStatus healthy = awaitState("hardened", instance, InstanceState.HEALTHY);
        assertThat(get(healthy.address())).as("the app still serves").isNotNull();
        return healthy.containerId();
    }

    /** Runs a shell command in the container as the app would; stdout and stderr together. */
    private static String exec(String container, String command) throws Exception {
        Process process = new ProcessBuilder("docker", "exec", container, "sh", "-c", command)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return output;
    }
}
