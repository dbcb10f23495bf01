package io.atoll.platform.control;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The work queue of a level-based controller, after client-go's: a key is in the queue at most
 * once however often it is added (events coalesce), a key being processed is never handed to a
 * second worker, and one added meanwhile is queued again when the first is done. A key that
 * failed waits an exponentially growing time before its retry; one that succeeded starts over.
 */
final class WorkQueue {

    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private final Set<String> dirty = new HashSet<>();
    private final Set<String> processing = new HashSet<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final ScheduledExecutorService delays;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private boolean shutDown;

    WorkQueue(Duration baseDelay, Duration maxDelay) {
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.delays = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "reconcile-delays");
            thread.setDaemon(true);
            return thread;
        });
    }

    synchronized void add(String key) {
        if (shutDown || !dirty.add(key)) {
            return;
        }
        if (!processing.contains(key)) {
            queue.add(key);
            notifyAll();
        }
    }

    void addAfter(String key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        synchronized (this) {
            if (shutDown) {
                return;
            }
        }
        delays.schedule(() -> add(key), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Retry after a failure: base × 2^(failures-1), at most the maximum. */
    void addRateLimited(String key) {
        int count;
        synchronized (this) {
            count = failures.merge(key, 1, Integer::sum);
        }
        long nanos = baseDelay.toNanos() << Math.min(count - 1, 20);
        addAfter(key, Duration.ofNanos(Math.min(nanos, maxDelay.toNanos())));
    }

    synchronized void forget(String key) {
        failures.remove(key);
    }

    /** The next key to work on; blocks until there is one. Null once shut down. */
    synchronized String take() throws InterruptedException {
        while (queue.isEmpty() && !shutDown) {
            wait();
        }
        if (shutDown) {
            return null;
        }
        String key = queue.poll();
        processing.add(key);
        dirty.remove(key);
        return key;
    }

    /** The worker is done with the key: if it was added meanwhile, it goes back in the queue. */
    synchronized void done(String key) {
        processing.remove(key);
        if (dirty.contains(key)) {
            queue.add(key);
            notifyAll();
        }
    }

    synchronized int depth() {
        return queue.size();
    }

    synchronized void shutDown() {
        shutDown = true;
        delays.shutdownNow();
        notifyAll();
    }
}
