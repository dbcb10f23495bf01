package io.atoll.agent.support;

import java.time.Duration;

/** Exponential backoff: {@code initial × 2^(attempt-1)}, capped at {@code max}. */
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
        Duration delay = initial;
        for (int i = 1; i < attempt && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
