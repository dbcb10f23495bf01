package io.atoll.agent.logs;

import io.atoll.logs.LogSink;

import io.atoll.agent.docker.ContainerEvents;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.context.SmartLifecycle;

/**
 * The open log streams of this agent: at most {@code max-streams} at once; each followed one is
 * rescanned when Docker reports a container event of this node (a start, an exit) and every few
 * seconds besides, and every one gets a heartbeat, which is how a client that went away is noticed
 * and its Docker streams closed.
 */
class LogStreams implements SmartLifecycle {

    /** The safety net under Docker's events, whose stream may be down for a while. */
    private static final long RESCAN_SECONDS = 5;
    /** After a followed container's stream ended: long enough for a restart to have started it. */
    private static final long RESCAN_SOON_MILLIS = 200;

    private final LogProperties properties;
    private final ContainerLogs containers;
    private final KeptLogs kept;
    private final Semaphore slots;
    private final Set<LogSession> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean rescanQueued = new AtomicBoolean();
    private volatile ScheduledExecutorService timer;

    LogStreams(LogProperties properties, ContainerLogs containers, KeptLogs kept, ContainerEvents events,
            MeterRegistry meters) {
        this.properties = properties;
        this.containers = containers;
        this.kept = kept;
        this.slots = new Semaphore(properties.maxStreams());
        events.onChange(this::rescanSoon);
        meters.gauge("atoll.agent.logs.streams", slots, s -> properties.maxStreams() - s.availablePermits());
        meters.gauge("atoll.agent.logs.kept.instances", kept, k -> k.snapshot().size());
    }

    /** A new session, or null when {@code max-streams} are open already. */
    LogSession open(LogQuery query, LogSink sink) {
        if (!slots.tryAcquire()) {
            return null;
        }
        AtomicBoolean released = new AtomicBoolean();
        LogSession[] session = new LogSession[1];
        session[0] = new LogSession(query, sink, containers, kept, () -> {
            if (released.compareAndSet(false, true)) {
                open.remove(session[0]);
                slots.release();
            }
        }, () -> later(session[0]));
        if (query.follow()) {
            open.add(session[0]);
        }
        sink.onEnd(session[0]::close);
        return session[0];
    }

    /** Called on Docker's event thread: only queues the work. */
    private void rescanSoon() {
        ScheduledExecutorService current = timer;
        if (current != null && !open.isEmpty() && rescanQueued.compareAndSet(false, true)) {
            current.execute(() -> {
                rescanQueued.set(false);
                open.forEach(LogSession::rescan);
            });
        }
    }

    private void later(LogSession session) {
        ScheduledExecutorService current = timer;
        if (current != null) {
            try {
                current.schedule(session::rescan, RESCAN_SOON_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                // stopping
            }
        }
    }

    boolean hasInstance(LogQuery query) {
        return LogSession.hasInstance(query, containers, kept);
    }

    @Override
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "atoll-log-streams");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(() -> open.forEach(LogSession::rescan), RESCAN_SECONDS, RESCAN_SECONDS,
                TimeUnit.SECONDS);
        long heartbeat = properties.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(() -> open.forEach(LogSession::heartbeat), heartbeat, heartbeat,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
        open.forEach(LogSession::close);
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }
}
