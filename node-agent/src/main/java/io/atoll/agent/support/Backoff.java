package io.atoll.agent.support;

import java.time.Duration;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Exponential backoff with jitter, Spring's {@link ExponentialBackOff}: about
 * {@code initial × 2^(attempt-1)}, moved at random by up to a fifth of itself so that instances
 * that failed together (a node's restart, a bad release on many nodes) do not retry in step, and
 * never below {@code initial} or above {@code max}.
 */
public final class Backoff {

    private Backoff() {
    }

    /**
     * @param attempt 1 for the first wait; 0 or less waits nothing
     */
    public static Duration exponential(Duration initial, Duration max, int attempt) {
        if (attempt <= 0) {
            return Duration.ZERO;
        }
        long initialMillis = Math.max(1, initial.toMillis());
        ExponentialBackOff policy = new ExponentialBackOff(initialMillis, 2.0);
        policy.setMaxInterval(Math.max(initialMillis, max.toMillis()));
        policy.setJitter(initialMillis / 5);
        BackOffExecution execution = policy.start();
        long delay = initialMillis;
        // Stateless for the caller, who counts the attempts; a capped interval stops growing, so
        // the loop is short whatever the count.
        for (int i = 0; i < Math.min(attempt, 64); i++) {
            delay = execution.nextBackOff();
        }
        return Duration.ofMillis(delay);
    }
}
