package io.atoll.agent.docker;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * What an inspect says about one of this node's containers, read fresh for every decision.
 *
 * @param hostPort the host port the container port is published on; 0 while not running
 * @param networkAddress {@code ip:port} of the container port on the apps' network, reached from
 *     this host without Docker's userland proxy; null while not running or not on that network
 * @param startedAt Docker's StartedAt: changes on every (re)start, so it tells a restart from an adoption
 * @param finishedAt Docker's FinishedAt: changes on every exit, so one exit is counted as one crash
 * @param oomKilled Docker's State.OOMKilled: the kernel killed a process of it for its memory limit
 * @param error Docker's State.Error, e.g. why its last start failed; null when empty
 * @param memoryLimitMb the memory limit it runs under, 0 for none
 * @param onAppNetwork it is on Atoll's apps' network, where the firewall confines it (a container
 *     made before there was one is not)
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
        String networkAddress,
        Map<String, String> labels,
        boolean oomKilled,
        String error,
        long memoryLimitMb,
        boolean onAppNetwork) {

    /** Created but never started: Docker leaves StartedAt at the zero time until a start succeeds. */
    public boolean neverStarted() {
        Instant started = parse(startedAt);
        return !running && (started == null || started.getEpochSecond() <= 0);
    }

    /** How long the last run lasted, StartedAt to FinishedAt; zero when unknown. */
    public Duration ranFor() {
        Instant started = parse(startedAt);
        Instant finished = parse(finishedAt);
        if (started == null || finished == null || finished.isBefore(started)) {
            return Duration.ZERO;
        }
        return Duration.between(started, finished);
    }

    private static Instant parse(String timestamp) {
        if (timestamp == null || timestamp.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
