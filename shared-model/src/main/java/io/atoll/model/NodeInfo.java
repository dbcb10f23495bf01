package io.atoll.model;

/**
 * What a node agent says about its Docker host, written ephemeral at {@code /atoll/nodes/{nodeId}}.
 *
 * @param advertisedHost the address other hosts (the gateway) use to reach published ports
 */
public record NodeInfo(
        String nodeId,
        String advertisedHost,
        String zone,
        String region,
        Resources capacity,
        Resources usage,
        boolean maintenance,
        String agentVersion) {

    public Resources free() {
        return new Resources(
                capacity.memoryMb() - usage.memoryMb(),
                capacity.cpuShares() - usage.cpuShares(),
                capacity.containers() - usage.containers());
    }
}
