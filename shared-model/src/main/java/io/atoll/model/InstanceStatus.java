package io.atoll.model;

import java.time.Instant;

/**
 * The actual state of one instance, written ephemeral by the agent running it at
 * {@code /atoll/instances/{app}/{instanceId}}.
 *
 * @param address where the gateway reaches it, {@code host:port}
 * @param since when it entered {@code state}
 * @param problem why it is not serving, when the agent knows (null while all is well)
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
        String containerId,
        InstanceProblem problem) {

    /** A status without a problem. */
    public InstanceStatus(String instanceId, String app, String nodeId, String zone, String releaseId, String address,
            InstanceState state, Instant since, String containerId) {
        this(instanceId, app, nodeId, zone, releaseId, address, state, since, containerId, null);
    }

    public InstanceStatus withState(InstanceState newState, Instant at) {
        return new InstanceStatus(instanceId, app, nodeId, zone, releaseId, address, newState, at, containerId, problem);
    }

    public InstanceStatus withProblem(InstanceProblem newProblem) {
        return new InstanceStatus(instanceId, app, nodeId, zone, releaseId, address, state, since, containerId,
                newProblem);
    }
}
