package io.atoll.agent.reconcile;

import io.atoll.agent.docker.ContainerSnapshot;
import io.atoll.model.InstanceProblem;
import io.atoll.model.InstanceProblem.Kind;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the {@link InstanceProblem}s the agent publishes, and keeps them quiet: a problem that
 * says the same as the one already published keeps its time, so a retry that fails the same way
 * writes nothing to ZooKeeper.
 */
final class Problems {

    /** Config values shorter than this are left in text: "true" or "8080" are no secrets, and hiding them garbles. */
    static final int SHORTEST_REDACTED = 8;
    static final String REDACTED = "***";

    private Problems() {
    }

    static InstanceProblem refused(Kind kind, String engineMessage, int restarts, Instant at) {
        return new InstanceProblem(kind, engineMessage, null, null, List.of(), restarts, at);
    }

    /** An exit as Docker reports it: OOMKilled with the limit, else the exit code; with the log's tail either way. */
    static InstanceProblem exited(ContainerSnapshot container, long askedMemoryMb, List<String> lastLogLines,
            int restarts, Instant at) {
        if (container.oomKilled()) {
            long limit = container.memoryLimitMb() > 0 ? container.memoryLimitMb() : askedMemoryMb;
            return new InstanceProblem(Kind.OOM_KILLED, container.error(), container.exitCode(),
                    limit > 0 ? limit : null, lastLogLines, restarts, at);
        }
        return new InstanceProblem(Kind.EXITED, container.error(), container.exitCode(), null, lastLogLines,
                restarts, at);
    }

    static InstanceProblem healthCheck(String path, String result, int restarts, Instant at) {
        return new InstanceProblem(Kind.HEALTH_CHECK_FAILED, "GET " + path + ": " + result, null, null, List.of(),
                restarts, at);
    }

    static InstanceProblem withRestarts(InstanceProblem problem, int restarts) {
        return problem == null || problem.restarts() == restarts ? problem
                : new InstanceProblem(problem.kind(), problem.message(), problem.exitCode(), problem.memoryLimitMb(),
                        problem.lastLogLines(), restarts, problem.at());
    }

    /** {@code next}, or {@code previous} when they differ only in their time. */
    static InstanceProblem stable(InstanceProblem previous, InstanceProblem next) {
        return same(previous, next) ? previous : next;
    }

    static boolean same(InstanceProblem a, InstanceProblem b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.kind() == b.kind()
                && Objects.equals(a.message(), b.message())
                && Objects.equals(a.exitCode(), b.exitCode())
                && Objects.equals(a.memoryLimitMb(), b.memoryLimitMb())
                && a.lastLogLines().equals(b.lastLogLines())
                && a.restarts() == b.restarts();
    }

    /**
     * Hides the release's config values in text that leaves the agent (the engine's message, the
     * log's tail). The assignment does not say which of its env values are secret, so every value
     * long enough to be one is hidden, longest first so that one value inside another goes whole.
     */
    static String redact(String text, Map<String, String> env) {
        if (text == null || text.isEmpty() || env.isEmpty()) {
            return text;
        }
        String out = text;
        for (String value : secretsOf(env)) {
            out = out.replace(value, REDACTED);
        }
        return out;
    }

    static InstanceProblem redact(InstanceProblem problem, Map<String, String> env) {
        if (problem == null || env.isEmpty()) {
            return problem;
        }
        return new InstanceProblem(problem.kind(), redact(problem.message(), env), problem.exitCode(),
                problem.memoryLimitMb(), problem.lastLogLines().stream().map(line -> redact(line, env)).toList(),
                problem.restarts(), problem.at());
    }

    private static List<String> secretsOf(Map<String, String> env) {
        return env.values().stream()
                .filter(value -> value != null && value.length() >= SHORTEST_REDACTED)
                .distinct()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
    }
}
