package io.atoll.agent.reconcile;

import io.atoll.agent.config.AgentProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Recent crashes of one instance: the backoff doubles with each crash still inside the window
 * (1 s, 2 s, 4 s, ... up to the cap), and too many of them make a crash loop. Old crashes fall
 * out of the window, so an instance that has run quietly for a while starts again at 1 s.
 */
final class CrashHistory {

    private final AgentProperties.Restart policy;
    private final Deque<Instant> crashes = new ArrayDeque<>();

    CrashHistory(AgentProperties.Restart policy) {
        this.policy = policy;
    }

    /** Records a crash and returns how many there have been within the window, this one included. */
    int record(Instant at) {
        crashes.addLast(at);
        return recent(at);
    }

    int recent(Instant now) {
        Instant cutoff = now.minus(policy.crashLoopWindow());
        while (!crashes.isEmpty() && crashes.peekFirst().isBefore(cutoff)) {
            crashes.removeFirst();
        }
        return crashes.size();
    }

    Duration backoff(int recentCrashes) {
        return exponential(policy, recentCrashes);
    }

    /** {@code initialBackoff × 2^(attempt-1)}, capped at {@code maxBackoff}. */
    static Duration exponential(AgentProperties.Restart policy, int attempt) {
        Duration delay = policy.initialBackoff();
        for (int i = 1; i < attempt && delay.compareTo(policy.maxBackoff()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(policy.maxBackoff()) > 0 ? policy.maxBackoff() : delay;
    }

    boolean isCrashLoop(int recentCrashes) {
        return recentCrashes > policy.crashLoopCrashes();
    }
}
