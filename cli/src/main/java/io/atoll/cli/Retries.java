package io.atoll.cli;

/**
 * How a followed stream (a deploy's steps, an app's logs) is opened again after it broke: at most
 * {@link #MAX} failures in a row, waiting a little longer after each.
 */
final class Retries {

    static final int MAX = 5;

    private Retries() {
    }

    /** Waits 0.5 s after a clean end, up to 5 s after repeated failures. */
    static void pause(int failures) {
        try {
            Thread.sleep(Math.min(500L * (failures + 1), 5_000L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.ERROR, "interrupted");
        }
    }
}
