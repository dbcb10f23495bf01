package io.atoll.agent.firewall;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of a running container's veth pair: its port on the apps' bridge, which a
 * firewall grant matches ({@code -m physdev --physdev-in}) along with the container's address.
 * Read from the kernel: the container's {@code eth0} names its peer's interface index
 * ({@code /proc/<pid>/root/sys/class/net/eth0/iflink}), which is looked up among the host's
 * interfaces. The agent runs on the host as root (it writes iptables), so both are readable.
 */
final class BridgePorts {

    private static final Logger log = LoggerFactory.getLogger(BridgePorts.class);
    private static final Path HOST_INTERFACES = Path.of("/sys/class/net");

    private final DockerClient docker;
    /** container id and pid → port: a restarted container has a new pid and a new veth pair. */
    private final Map<String, String> ports = new ConcurrentHashMap<>();

    BridgePorts(DockerClient docker) {
        this.docker = docker;
    }

    /** @return the interface name, or null when it cannot be found (the container then gets no grant) */
    String of(String containerId) {
        Long pid;
        try {
            pid = docker.inspectContainerCmd(containerId).exec().getState().getPidLong();
        } catch (NotFoundException e) {
            return null;
        }
        if (pid == null || pid <= 0) {
            return null;
        }
        String key = containerId + "/" + pid;
        String known = ports.get(key);
        if (known != null) {
            return known;
        }
        try {
            String peer = Files.readString(Path.of("/proc", String.valueOf(pid), "root", "sys", "class", "net", "eth0",
                    "iflink")).strip();
            try (DirectoryStream<Path> interfaces = Files.newDirectoryStream(HOST_INTERFACES)) {
                for (Path candidate : interfaces) {
                    Path index = candidate.resolve("ifindex");
                    if (Files.isReadable(index) && Files.readString(index).strip().equals(peer)) {
                        String name = candidate.getFileName().toString();
                        ports.put(key, name);
                        return name;
                    }
                }
            }
            log.warn("No host interface has index {} (the peer of container {}'s eth0): it gets no grant", peer,
                    containerId);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not find container {}'s port on the bridge ({}): it gets no grant", containerId,
                    e.toString());
        }
        return null;
    }

    /** Forgets the containers that are not running any more. */
    void retain(Set<String> running) {
        ports.keySet().removeIf(key -> !running.contains(key.substring(0, key.indexOf('/'))));
    }
}
