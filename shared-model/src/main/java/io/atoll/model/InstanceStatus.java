package io.atoll.model;

import java.time.Instant;

/**
 * The actual state of one instance, written ephemeral by the agent running it at
 * {@code /atoll/instances/{app}/{instanceId}}.
 *
 * @param address where the gateway reaches it, {@code host:port}
 * @param since when it entered {@code state}
 */
public record InstanceStatus(
        String instanceId,
        String app,
        String nodeId,
        String zone,
        String releaseId,
        String address,
        InstanceState state,
        Instant since,
        String containerId) {

    public InstanceStatus withState(InstanceState newState, Instant at) {
        return new InstanceStatus(instanceId, app, nodeId, zone, releaseId, address, newState, at, containerId);
    }
}
