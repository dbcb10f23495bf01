package io.atoll.testing;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The host's address on Docker's default bridge: where a container reaches a server the test runs on the host
 * (a Maven mirror, a silent socket).
 *
 * <p>Docker usually reports it as the bridge network's IPAM gateway, but not always: Docker 20.10 started for the
 * first time on a machine, before its {@code docker0} interface existed, reports only the subnet (it takes the
 * gateway from the interface's address on later starts). The interface's own IPv4 address is the same thing, so
 * that is the fallback.
 */
public final class DockerBridge {

    private static final String FORMAT =
            "{{(index .IPAM.Config 0).Gateway}}|{{index .Options \"com.docker.network.bridge.name\"}}";

    private DockerBridge() {
    }

    public static String hostAddress() {
        String[] answer = inspect().strip().split("\\|", -1);
        String gateway = answer[0];
        if (!gateway.isEmpty()) {
            return gateway;
        }
        String bridge = answer.length > 1 && !answer[1].isEmpty() ? answer[1] : "docker0";
        try {
            NetworkInterface nic = NetworkInterface.getByName(bridge);
            if (nic != null) {
                for (InetAddress address : nic.inetAddresses().toList()) {
                    if (address instanceof Inet4Address) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot read the addresses of " + bridge, e);
        }
        throw new IllegalStateException("Docker's bridge network names no gateway and interface " + bridge
                + " has no IPv4 address: containers cannot reach this host");
    }

    private static String inspect() {
        try {
            Process docker = new ProcessBuilder("docker", "network", "inspect", "bridge", "--format", FORMAT)
                    .redirectErrorStream(true).start();
            String output = new String(docker.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!docker.waitFor(30, TimeUnit.SECONDS) || docker.exitValue() != 0) {
                throw new IllegalStateException("docker network inspect bridge failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run docker", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking docker for its bridge", e);
        }
    }
}
