package io.atoll.platform.control;

import io.atoll.platform.apps.AppRepository;
import io.atoll.platform.instances.ClusterState;
import io.atoll.platform.instances.DesiredInstance;
import io.atoll.platform.instances.DesiredInstanceRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controllers while this replica leads: a work queue keyed by app fed by cluster events,
 * nudges from the API (of any replica) and a periodic resync of every app, and workers that run
 * {@link AppReconciler} on one app at a time each. Started and stopped by {@link Leadership}; a
 * stop interrupts the passes in flight and drops the queue (the next leader re-reads everything).
 */
final class AppControllers {

    private static final Logger log = LoggerFactory.getLogger(AppControllers.class);

    private final AppReconciler reconciler;
    private final AppRepository apps;
    private final DesiredInstanceRepository desired;
    private final AppNudges nudges;
    private final NodeTracker nodes;
    private final ControlProperties.Control properties;
    private final Counter succeeded;
    private final Counter failed;
    private final Timer passes;
    private final AtomicLong passIds = new AtomicLong();

    private volatile WorkQueue queue;
    private List<Thread> workers = List.of();
    private ScheduledExecutorService resync;
    private CuratorCache nudgeWatch;

    AppControllers(AppReconciler reconciler, AppRepository apps, DesiredInstanceRepository desired, AppNudges nudges,
            ClusterState cluster, NodeTracker nodes, ControlProperties.Control properties, MeterRegistry meters) {
        this.reconciler = reconciler;
        this.apps = apps;
        this.desired = desired;
        this.nudges = nudges;
        this.nodes = nodes;
        this.properties = properties;
        this.succeeded = Counter.builder("atoll.platform.reconciles").tag("outcome", "success").register(meters);
        this.failed = Counter.builder("atoll.platform.reconciles").tag("outcome", "error").register(meters);
        this.passes = Timer.builder("atoll.platform.reconcile.duration").register(meters);
        Gauge.builder("atoll.platform.reconcile.queue", () -> {
            WorkQueue q = queue;
            return q == null ? 0 : q.depth();
        }).register(meters);
        // First, so that a pass a node's change wakes sees since when the node is gone.
        cluster.onNodeChange(nodes::nodeChanged);
        // Registered once: while not leading, there is no queue and events fall on the floor.
        cluster.onChange(app -> {
            if (app == null) {
                enqueueAll();
            } else {
                enqueue(app);
            }
        });
    }

    synchronized void start() {
        if (queue != null) {
            return;
        }
        nodes.reset();
        queue = new WorkQueue(Duration.ofMillis(200), properties.maxBackoff());
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < properties.workers(); i++) {
            Thread worker = new Thread(this::work, "app-reconciler-" + i);
            worker.setDaemon(true);
            worker.start();
            started.add(worker);
        }
        workers = started;
        nudgeWatch = nudges.listen(this::enqueue);
        resync = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "app-resync");
            thread.setDaemon(true);
            return thread;
        });
        resync.scheduleWithFixedDelay(this::enqueueAll, 0, properties.resync().toMillis(), TimeUnit.MILLISECONDS);
        log.info("Controllers started: {} reconcile worker(s), resync every {}", properties.workers(), properties.resync());
    }

    synchronized void stop() {
        WorkQueue stopping = queue;
        if (stopping == null) {
            return;
        }
        queue = null;
        stopping.shutDown();
        nudges.stopListening();
        nudgeWatch.close();
        resync.shutdownNow();
        for (Thread worker : workers) {
            worker.interrupt();
        }
        for (Thread worker : workers) {
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        workers = List.of();
        log.info("Controllers stopped");
    }

    boolean running() {
        return queue != null;
    }

    void enqueue(String app) {
        WorkQueue q = queue;
        if (q != null) {
            q.add(app);
        }
    }

    /** Every app, and every app that still has instances (a deleted one's leftovers). */
    void enqueueAll() {
        WorkQueue q = queue;
        if (q == null) {
            return;
        }
        try {
            Set<String> names = new HashSet<>();
            apps.findAll().forEach(app -> names.add(app.name()));
            desired.findAll().stream().map(DesiredInstance::app).forEach(names::add);
            names.forEach(q::add);
        } catch (RuntimeException e) {
            log.warn("Resync could not list the apps: {}", e.toString());
        }
    }

    private void work() {
        WorkQueue q = queue;
        while (q != null && !Thread.currentThread().isInterrupted()) {
            String app;
            try {
                app = q.take();
            } catch (InterruptedException e) {
                return;
            }
            if (app == null) {
                return;
            }
            long pass = passIds.incrementAndGet();
            long started = System.nanoTime();
            try {
                Duration again = reconciler.reconcile(app);
                q.forget(app);
                succeeded.increment();
                if (again != null) {
                    q.addAfter(app, again);
                }
            } catch (Exception e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                failed.increment();
                log.warn("Reconcile pass {} of app {} failed; retrying with backoff: {}", pass, app, e.toString(), e);
                q.addRateLimited(app);
            } finally {
                passes.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                q.done(app);
            }
        }
    }
}
