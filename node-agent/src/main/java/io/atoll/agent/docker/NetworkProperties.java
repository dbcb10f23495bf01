package io.atoll.agent.docker;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The network app containers run on, and how they are kept apart (issue 11 item 1).
 *
 * @param name the Docker bridge network every app container joins; created by the agent with
 *     inter-container traffic off, shared by every agent of the host
 * @param bridge the Linux interface of that network, which the firewall rules match on
 * @param isolation keep the agent's iptables rules: a container reaches only the IP groups its
 *     app declares as dependencies and this host's {@code host-ports}; off, containers still
 *     cannot talk to each other on the bridge but reach anything else
 * @param hostPorts ports of this host every container may reach (the gateway's traffic port:
 *     apps reach each other through the gateway only)
 * @param iptables the iptables command; {@code iptables-restore} is looked up beside it
 * @param interval how often the rules are compared with what the assignments need, without an event
 * @param ingressSources addresses (IPv4 or CIDR) from beyond this host that may open connections
 *     to app containers: the gateways that run on other hosts. None by default: an app's
 *     published port answers this host only (its gateway, its agent's health checks), so
 *     nothing reaches an app past the gateway
 */
@ConfigurationProperties("atoll.agent.network")
public record NetworkProperties(
        String name,
        String bridge,
        Boolean isolation,
        List<Integer> hostPorts,
        String iptables,
        Duration interval,
        List<String> ingressSources) {

    public NetworkProperties {
        name = name == null || name.isBlank() ? "atoll" : name;
        bridge = bridge == null || bridge.isBlank() ? "atoll0" : bridge;
        isolation = isolation == null || isolation;
        hostPorts = hostPorts == null ? List.of(8000) : List.copyOf(hostPorts);
        iptables = iptables == null || iptables.isBlank() ? "iptables" : iptables;
        interval = interval == null ? Duration.ofSeconds(2) : interval;
        ingressSources = ingressSources == null ? List.of() : ingressSources.stream().map(source -> {
            String canonical = io.atoll.model.IpGroup.canonicalCidr(source);
            if (canonical == null) {
                throw new IllegalArgumentException("atoll.agent.network.ingress-sources: not an IPv4 address or CIDR: "
                        + source);
            }
            return canonical;
        }).toList();
        if (!bridge.matches("[a-zA-Z0-9_.-]{1,15}")) {
            throw new IllegalArgumentException("atoll.agent.network.bridge must be an interface name (15 characters "
                    + "at most, letters, digits, '_', '.', '-'): " + bridge);
        }
        for (int port : hostPorts) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("atoll.agent.network.host-ports: not a port: " + port);
            }
        }
    }

    public static NetworkProperties defaults() {
        return new NetworkProperties(null, null, null, null, null, null, null);
    }
}
