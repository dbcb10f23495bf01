package io.atoll.registry.gc;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/** Runs the garbage collector every {@code atoll.registry.gc.interval} (not at all when it is zero). */
@Component
public class GcScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GcScheduler.class);

    private final GarbageCollector collector;
    private final Duration interval;
    private ScheduledExecutorService executor;

    @Autowired
    public GcScheduler(GarbageCollector collector, GcProperties properties) {
        this(collector, properties.interval());
    }

    GcScheduler(GarbageCollector collector, Duration interval) {
        this.collector = collector;
        this.interval = interval;
    }

    @Override
    public synchronized void start() {
        if (executor != null || interval.isZero() || interval.isNegative()) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "registry-gc");
            thread.setDaemon(true);
            return thread;
        });
        long period = interval.toMillis();
        executor.scheduleWithFixedDelay(this::collectQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }

    private void collectQuietly() {
        try {
            collector.collect(false);
        } catch (RuntimeException e) {
            // Keep the schedule alive: the next run may succeed once storage recovers.
            log.warn("scheduled registry gc failed: {}", e.toString());
        }
    }
}
