package io.atoll.agent.reconcile;

import java.util.StringJoiner;

/**
 * Times the steps of one operation for its log line, e.g. {@code to the worker 4 ms, inspect 2 ms,
 * image 1 ms, create 61 ms, start 140 ms}: where a deploy's time goes on the node, in every log.
 */
final class StepTimer {

    private final StringJoiner steps = new StringJoiner(", ");
    private long last;

    /**
     * @param since {@link System#nanoTime()} of what set the operation off, or null to start now
     * @param firstStep the name of the wait from {@code since} to now
     */
    StepTimer(Long since, String firstStep) {
        last = System.nanoTime();
        if (since != null) {
            steps.add(firstStep + " " + millis(last - since));
        }
    }

    /** The step that ends now. */
    void step(String name) {
        long now = System.nanoTime();
        steps.add(name + " " + millis(now - last));
        last = now;
    }

    private static String millis(long nanos) {
        return Math.max(0, nanos / 1_000_000) + " ms";
    }

    @Override
    public String toString() {
        return steps.toString();
    }
}
