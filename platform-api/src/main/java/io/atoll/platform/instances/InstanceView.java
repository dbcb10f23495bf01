package io.atoll.platform.instances;

import java.time.Instant;

/**
 * One instance as the API shows it: what was asked for, joined with what its agent reports.
 * {@code state} is {@code PENDING} until the agent has published anything.
 */
public record InstanceView(String instanceId, String releaseId, String nodeId, String zone, String state,
        String address, Instant since, boolean draining) {
}
