package io.atoll.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Network;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge network app containers join: made by the first agent of the host that needs it,
 * with inter-container traffic off (Docker drops bridge-to-bridge packets) and a fixed
 * interface name the firewall rules can match. Every agent of the host shares it.
 */
public class AppNetwork {

    static final String ICC = "com.docker.network.bridge.enable_icc";
    static final String BRIDGE_NAME = "com.docker.network.bridge.name";
    private static final Logger log = LoggerFactory.getLogger(AppNetwork.class);

    private final DockerClient docker;
    private final NetworkProperties properties;
    private volatile boolean ready;

    public AppNetwork(DockerClient docker, NetworkProperties properties) {
        this.docker = docker;
        this.properties = properties;
    }

    public String name() {
        return properties.name();
    }

    /** Makes sure the network exists; cheap once it does. */
    public void ensure() {
        if (ready) {
            return;
        }
        synchronized (this) {
            if (ready) {
                return;
            }
            Network network = inspect();
            if (network == null) {
                try {
                    docker.createNetworkCmd()
                            .withName(properties.name())
                            .withDriver("bridge")
                            .withCheckDuplicate(true)
                            .withOptions(Map.of(ICC, "false", BRIDGE_NAME, properties.bridge()))
                            .withLabels(Map.of("io.atoll.network", "apps"))
                            .exec();
                    log.info("Created network {} (bridge {}, inter-container traffic off)", properties.name(),
                            properties.bridge());
                } catch (ConflictException e) {
                    // another agent of this host made it meanwhile
                }
                network = inspect();
                if (network == null) {
                    throw new IllegalStateException("network " + properties.name() + " could not be created");
                }
            }
            if (Boolean.TRUE.equals(network.getEnableIPv6())) {
                // The firewall writes IPv4 rules only: an app with an IPv6 address would be unconfined.
                throw new IllegalStateException("network " + properties.name() + " has IPv6 enabled, which Atoll's "
                        + "firewall does not confine: remove it, or name another with atoll.agent.network.name");
            }
            Map<String, String> options = network.getOptions() == null ? Map.of() : network.getOptions();
            if (!"false".equals(options.get(ICC)) || !properties.bridge().equals(options.get(BRIDGE_NAME))) {
                // Made by someone else: the firewall rules match the configured bridge and would not
                // apply. Refuse rather than run apps unconfined.
                throw new IllegalStateException("network " + properties.name() + " exists with options " + options
                        + "; Atoll needs " + ICC + "=false and " + BRIDGE_NAME + "=" + properties.bridge()
                        + ": remove it, or name another with atoll.agent.network.name");
            }
            ready = true;
        }
    }

    private Network inspect() {
        try {
            return docker.inspectNetworkCmd().withNetworkId(properties.name()).exec();
        } catch (NotFoundException e) {
            return null;
        }
    }
}
