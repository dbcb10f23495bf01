package io.atoll.warmup;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A service's start-up warm-up: load it sends to itself on a thread of its own before it reports
 * ready, so that the JIT has compiled its hot paths before the first real client arrives. This
 * class holds what every such warm-up has in common; a service supplies only its load
 * ({@link #warmUp}), the counts it reports ({@link #counts}, {@link #summary}) and when it may
 * start ({@link #start}, calling {@link #launch} or {@link #skip}).
 *
 * <p>Its state goes PENDING → RUNNING → DONE once, changed under this object's lock; a warm-up
 * that fails is logged and ends DONE too (the service is slower, not broken). {@link #stop} (the
 * context closing) wakes the warm-up at once through a latch rather than at its next look, then
 * waits for its thread up to {@code stopWait}, so that the load's clean-up runs before the
 * server it talks to closes. {@link WarmupHealthIndicator} holds readiness back while it runs.
 */
public abstract class StartupWarmup implements SmartLifecycle {

    /** What {@link #endedBy} says when the context closed during the warm-up. */
    public static final String STOPPED = "stop";

    public enum State { PENDING, RUNNING, DONE }

    /** The service's own class, so its warm-up logs where it always did. */
    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String name;
    private final Duration stopWait;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile State state = State.PENDING;
    private volatile Duration took = Duration.ZERO;
    private volatile String endedBy = "";
    private Thread thread;

    /**
     * @param name the warm-up's thread name
     * @param stopWait how long {@link #stop} waits for the warm-up to clean up after itself
     */
    protected StartupWarmup(String name, Duration stopWait) {
        this.name = name;
        this.stopWait = stopWait;
    }

    /**
     * Runs the load until it should end, cleaning up what it made before returning: readiness
     * stays down until this returns.
     *
     * @param started {@link System#nanoTime()} when the warm-up began
     * @return why it ended, for the health details and the log
     */
    protected abstract String warmUp(long started);

    /** The counts shown in health between {@code endedBy} and {@code tookMillis}, in order. */
    protected abstract Map<String, Object> counts();

    /** The counts for the log line, e.g. "1200 requests (0 failed)". */
    protected abstract String summary();

    /** Ends the warm-up before it runs (disabled, or nothing to warm up); readiness goes UP at once. */
    protected final synchronized void skip(String because) {
        if (state == State.PENDING) {
            endedBy = because;
            state = State.DONE;
        }
    }

    /** Starts the warm-up's thread, once; false if it had already started, ended or been skipped. */
    protected final synchronized boolean launch() {
        if (state != State.PENDING) {
            return false;
        }
        state = State.RUNNING;
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
        return true;
    }

    private void run() {
        long started = System.nanoTime();
        try {
            endedBy = warmUp(started);
        } catch (RuntimeException | Error e) {
            endedBy = "failed: " + e;
            log.warn("Start-up warm-up failed after {}; reporting ready anyway", summary(), e);
        } finally {
            took = Duration.ofNanos(System.nanoTime() - started);
            state = State.DONE;
        }
        log.info("Start-up warm-up: {} in {} ms, ended by {}", summary(), took.toMillis(), endedBy);
    }

    /** Waits up to {@code time}, returning early (true) when the warm-up is to stop. */
    private boolean pause(Duration time) {
        try {
            return stopping.await(time.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /**
     * Looks once a second until the warm-up should end: {@link #STOPPED} at once when the context
     * closes, the reason {@code endsEarly} gives (it is asked first each second; null to go on),
     * "max-duration", or "a quiet JIT" once {@link JitQuietness} has seen two quiet seconds in a
     * row after {@code minDuration}.
     */
    protected final String until(long started, Duration minDuration, Duration maxDuration, long quietCompileMillisPerSecond,
            Supplier<String> endsEarly) {
        JitQuietness jit = new JitQuietness(quietCompileMillisPerSecond, 2);
        long deadline = started + maxDuration.toNanos();
        while (true) {
            if (pause(Duration.ofSeconds(1))) {
                return STOPPED;
            }
            String early = endsEarly.get();
            if (early != null) {
                return early;
            }
            if (System.nanoTime() - deadline >= 0) {
                return "max-duration";
            }
            if (jit.sample() && System.nanoTime() - started >= minDuration.toNanos()) {
                return "a quiet JIT";
            }
        }
    }

    /** True once the service may report ready: the warm-up is over, skipped, or failed. */
    public final boolean finished() {
        return state == State.DONE;
    }

    public final State state() {
        return state;
    }

    public final String endedBy() {
        return endedBy;
    }

    public final Duration took() {
        return took;
    }

    /** What the health indicator shows once the warm-up is over. */
    public final Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("endedBy", endedBy);
        details.putAll(counts());
        details.put("tookMillis", took.toMillis());
        return details;
    }

    @Override
    public void stop() {
        Thread running;
        synchronized (this) {
            stopping.countDown();
            running = thread;
        }
        if (running != null) {
            try {
                running.join(stopWait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return state == State.RUNNING;
    }
}
