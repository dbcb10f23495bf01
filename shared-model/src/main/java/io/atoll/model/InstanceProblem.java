package io.atoll.model;

import java.time.Instant;
import java.util.List;

/**
 * Why an instance is not serving, as its agent saw it: what the control plane reports to the
 * user when a deploy fails, so that they need not read the agent's log.
 *
 * @param kind what went wrong
 * @param message the engine's or the probe's own words (e.g. Docker's create error)
 * @param exitCode the container's exit code, for {@link Kind#EXITED} and {@link Kind#OOM_KILLED}
 * @param memoryLimitMb the memory limit it was killed at, for {@link Kind#OOM_KILLED}
 * @param lastLogLines the last lines the container wrote (stdout and stderr), oldest first, bounded
 * @param restarts how many times the agent restarted it so far
 * @param at when the agent saw it
 */
public record InstanceProblem(
        Kind kind,
        String message,
        Integer exitCode,
        Long memoryLimitMb,
        List<String> lastLogLines,
        int restarts,
        Instant at) {

    public enum Kind {
        PULL_FAILED,
        CREATE_FAILED,
        START_FAILED,
        EXITED,
        OOM_KILLED,
        HEALTH_CHECK_FAILED
    }

    public InstanceProblem {
        lastLogLines = lastLogLines == null ? List.of() : List.copyOf(lastLogLines);
    }

    /** One line for a deploy's reason: what happened, the code, and the last log line. */
    public String describe() {
        StringBuilder text = new StringBuilder(switch (kind) {
            case PULL_FAILED -> "the image could not be pulled";
            case CREATE_FAILED -> "the container could not be created";
            case START_FAILED -> "the container could not be started";
            case EXITED -> "the container exited";
            case OOM_KILLED -> "the container was killed for using more than its memory limit";
            case HEALTH_CHECK_FAILED -> "the health check failed";
        });
        if (exitCode != null) {
            text.append(" with code ").append(exitCode);
        }
        if (kind == Kind.OOM_KILLED && memoryLimitMb != null) {
            text.append(" (").append(memoryLimitMb).append(" MB)");
        }
        if (message != null && !message.isBlank()) {
            text.append(": ").append(message.strip());
        }
        if (!lastLogLines.isEmpty()) {
            text.append("; last log lines: ").append(String.join(" | ", lastLogLines));
        }
        return text.toString();
    }
}
