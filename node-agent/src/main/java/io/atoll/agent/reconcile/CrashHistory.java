package io.atoll.agent.reconcile;

import io.atoll.agent.config.AgentProperties;
import io.atoll.agent.support.Backoff;
import java.time.Duration;

/**
 * Crashes of one instance in a row, on Diego's policy: the first {@code immediateRestarts} are
 * restarted at once, so that an app which fails at start is known to crash-loop within seconds;
 * later ones wait {@code initialBackoff}, doubling up to {@code maxBackoff}. A container that ran
 * for {@code resetAfter} before it exited starts the count over.
 */
final class CrashHistory {

    private final AgentProperties.Restart policy;
    private int crashes;

    CrashHistory(AgentProperties.Restart policy) {
        this.policy = policy;
    }

    /**
     * Records a crash of a container that had run for {@code ranFor} and returns how many crashes
     * in a row there have been, this one included.
     */
    int record(Duration ranFor) {
        if (ranFor.compareTo(policy.resetAfter()) >= 0) {
            crashes = 0;
        }
        return ++crashes;
    }

    int count() {
        return crashes;
    }

    /** How long to wait before restarting after the given crash in a row: nothing for the first ones. */
    Duration backoff(int crashesInARow) {
        return Backoff.exponential(policy.initialBackoff(), policy.maxBackoff(),
                crashesInARow - policy.immediateRestarts());
    }

    boolean isCrashLoop(int crashesInARow) {
        return crashesInARow > policy.crashLoopCrashes();
    }
}
