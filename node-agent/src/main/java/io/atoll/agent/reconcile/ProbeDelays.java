package io.atoll.agent.reconcile;

/**
 * When the health check of an instance runs next. A new (or restarted) container is probed at once
 * and again 10 ms later, since many apps answer within milliseconds of their start; then 50 ms later,
 * then at doubling delays up to the check's interval, so a deploy waits for the app, not for a whole
 * interval after it is ready. Once HEALTHY, every interval.
 *
 * <p>The two early probes are a bonus: their failures do not count towards
 * {@code unhealthyThreshold}, so a STARTING instance carries a failed check as its problem no sooner
 * than with the 50 ms doubling schedule alone (after 50 + 100 + 200 ms with the default threshold of
 * 3), and a crash soon after the start is still the first problem it reports.
 */
final class ProbeDelays {

    /** The first probe: as soon as the container has started. */
    static final long FIRST_MILLIS = 0;
    /** The second, if the first failed: the app may need a few milliseconds to listen. */
    static final long EARLY_RETRY_MILLIS = 10;
    /** Then this, doubled after each failure up to the interval; from here failures count. */
    static final long RETRY_MILLIS = 50;

    private ProbeDelays() {
    }

    /**
     * Whether a failed probe after this delay counts towards the threshold: not the early ones. Every
     * probe at the interval counts, however short the interval is.
     */
    static boolean countsFailure(long delayMillis, long intervalMillis) {
        return delayMillis >= Math.min(RETRY_MILLIS, intervalMillis);
    }

    /** @param previousMillis the delay before the probe that just ran */
    static long next(long previousMillis, boolean healthy, long intervalMillis) {
        if (healthy) {
            return intervalMillis;
        }
        long next = previousMillis == FIRST_MILLIS ? EARLY_RETRY_MILLIS
                : previousMillis < RETRY_MILLIS ? RETRY_MILLIS : previousMillis * 2;
        return Math.min(intervalMillis, next);
    }
}
