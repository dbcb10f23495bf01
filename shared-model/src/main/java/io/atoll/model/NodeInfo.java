package io.atoll.model;

/**
 * What a node agent says about its Docker host, written ephemeral at {@code /atoll/nodes/{nodeId}}.
 *
 * @param advertisedHost the address other hosts (the gateway) use to reach published ports
 * @param sessionTimeoutMillis the agent's ZooKeeper session timeout as negotiated (0 while not
 *     known): how long this entry outlives an agent that died, so that the control plane can
 *     count a lost node's absence from its last contact rather than from the entry's removal
 * @param agentUrl the base URL of the agent's own HTTP endpoint (e.g. {@code http://10.0.0.5:8082}),
 *     where platform-api reads the node's logs; null from an agent older than this field or whose
 *     web server has not started yet
 */
public record NodeInfo(
        String nodeId,
        String advertisedHost,
        String zone,
        String region,
        Resources capacity,
        Resources usage,
        boolean maintenance,
        String agentVersion,
        long sessionTimeoutMillis,
        String agentUrl) {

    public NodeInfo(String nodeId, String advertisedHost, String zone, String region, Resources capacity,
            Resources usage, boolean maintenance, String agentVersion, long sessionTimeoutMillis) {
        this(nodeId, advertisedHost, zone, region, capacity, usage, maintenance, agentVersion, sessionTimeoutMillis,
                null);
    }

    public NodeInfo(String nodeId, String advertisedHost, String zone, String region, Resources capacity,
            Resources usage, boolean maintenance, String agentVersion) {
        this(nodeId, advertisedHost, zone, region, capacity, usage, maintenance, agentVersion, 0, null);
    }

    public Resources free() {
        return new Resources(
                capacity.memoryMb() - usage.memoryMb(),
                capacity.cpuShares() - usage.cpuShares(),
                capacity.containers() - usage.containers());
    }
}
