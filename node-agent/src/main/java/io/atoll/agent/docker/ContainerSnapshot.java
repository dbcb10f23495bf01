package io.atoll.agent.docker;

import java.util.Map;

/**
 * What an inspect says about one of this node's containers, read fresh for every decision.
 *
 * @param hostPort the host port the container port is published on; 0 while not running
 * @param startedAt Docker's StartedAt: changes on every (re)start, so it tells a restart from an adoption
 * @param finishedAt Docker's FinishedAt: changes on every exit, so one exit is counted as one crash
 */
public record ContainerSnapshot(
        String id,
        String instanceId,
        String releaseId,
        boolean running,
        String startedAt,
        String finishedAt,
        Integer exitCode,
        int hostPort,
        Map<String, String> labels) {
}
