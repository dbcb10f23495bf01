package io.atoll.gateway.routing;

import io.atoll.gateway.balancing.LeastOutstandingBalancer;
import io.atoll.model.AppRoute;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.zk.ZkPaths;
import io.atoll.zk.ZkTreeMirror;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Mirrors {@code /atoll/routes} and {@code /atoll/instances} and keeps {@link #current()} a
 * table built from them. Changes are coalesced: a burst of ZooKeeper events costs one or two
 * rebuilds on a single background thread, never work on the request path.
 *
 * <p>While ZooKeeper is unreachable the mirrors keep their content, so the last table keeps
 * serving.
 */
public class RoutingTableWatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RoutingTableWatcher.class);

    /** Before the web server starts taking traffic, after it stops. */
    static final int PHASE = 0;

    private final CuratorFramework client;
    private final ZkPaths paths;
    private final RoutingTableBuilder builder;
    private final LeastOutstandingBalancer balancer;
    private final Duration initialSyncTimeout;
    private final RoutingSnapshotStore snapshots;
    private final AtomicLong versions = new AtomicLong();
    private final AtomicBoolean rebuildPending = new AtomicBoolean();
    private final Duration vanishedGrace;
    /** Instances that left ZooKeeper while HEALTHY, kept routable until their grace ends. */
    private final Map<String, Vanished> vanished = new HashMap<>();
    private Map<String, InstanceStatus> lastLive = Map.of();
    private final ScheduledExecutorService rebuilder = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "routing-table");
        thread.setDaemon(true);
        return thread;
    });

    private volatile RoutingTable current = RoutingTable.empty();
    /** Apps of this process alone (the warm-up's), merged into every table, never into the snapshot. */
    private volatile Map<String, AppRoute> privateRoutes = Map.of();
    private volatile Map<String, InstanceStatus> privateInstances = Map.of();
    private volatile boolean running;
    /** Set on a cold start without ZooKeeper; dropped once ZooKeeper has been read. */
    private volatile RoutingSnapshotStore.Snapshot coldStart;
    private ZkTreeMirror<AppRoute> routes;
    private ZkTreeMirror<InstanceStatus> instances;

    public RoutingTableWatcher(CuratorFramework client, ZkPaths paths, RoutingTableBuilder builder,
            LeastOutstandingBalancer balancer, Duration initialSyncTimeout, RoutingSnapshotStore snapshots,
            Duration vanishedGrace) {
        this.vanishedGrace = vanishedGrace;
        this.client = client;
        this.paths = paths;
        this.builder = builder;
        this.balancer = balancer;
        this.initialSyncTimeout = initialSyncTimeout;
        this.snapshots = snapshots;
    }

    /** The table to route the next request with. */
    public RoutingTable current() {
        return current;
    }

    /**
     * Replaces the apps that exist in this process only: they are in the tables from the next
     * rebuild on (soon after this returns), and never in the snapshot. Empty maps remove them.
     */
    public void setPrivateApps(Map<String, AppRoute> routes, Map<String, InstanceStatus> instances) {
        privateRoutes = Map.copyOf(routes);
        privateInstances = Map.copyOf(instances);
        requestRebuild();
    }

    /** True once both subtrees have been read completely at least once. */
    public boolean isSynced() {
        ZkTreeMirror<AppRoute> r = routes;
        ZkTreeMirror<InstanceStatus> i = instances;
        return r != null && i != null && r.isInitialized() && i.isInitialized();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        routes = ZkTreeMirror.of(client, paths.routes(), 1, AppRoute.class);
        instances = ZkTreeMirror.of(client, paths.instances(), 2, InstanceStatus.class);
        routes.addListener((key, value) -> requestRebuild());
        instances.addListener((key, value) -> requestRebuild());
        routes.start();
        instances.start();
        running = true;
        if (!awaitSync(initialSyncTimeout)) {
            coldStart = snapshots.load();
            log.warn("ZooKeeper not read within {}; serving {} until it is", initialSyncTimeout,
                    coldStart == null ? "nothing" : "the snapshot " + snapshots.file() + " of " + coldStart.savedAt());
            rebuilder.execute(() -> {
                // ZooKeeper may hold exactly what the snapshot does: then no change event comes,
                // so the switch from the snapshot to the live mirrors is made here.
                while (running && !awaitSync(Duration.ofSeconds(1))) {
                    // keep waiting
                }
                requestRebuild();
            });
        }
        rebuild();
    }

    private boolean awaitSync(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            return routes.awaitInitialized(timeout)
                    && instances.awaitInitialized(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void requestRebuild() {
        if (running && rebuildPending.compareAndSet(false, true)) {
            rebuilder.execute(() -> {
                rebuildPending.set(false);
                rebuild();
            });
        }
    }

    private synchronized void rebuild() {
        if (!running) {
            return;
        }
        try {
            long started = System.nanoTime();
            boolean synced = isSynced();
            RoutingSnapshotStore.Snapshot source = synced || coldStart == null
                    ? new RoutingSnapshotStore.Snapshot(null, routes.snapshot(), instances.snapshot(),
                            routes.creationOrder())
                    : coldStart;
            Map<String, InstanceStatus> effective = synced ? withVanished(source.instances()) : source.instances();
            RoutingTable table = builder.build(versions.incrementAndGet(), withPrivate(source.routes(), privateRoutes),
                    withPrivate(effective, privateInstances), source.claimOrder());
            current = table;
            Set<String> live = new HashSet<>();
            for (AppBackends backends : table.healthy().values()) {
                backends.all().forEach(backend -> live.add(backend.key()));
            }
            balancer.retainOnly(live);
            if (synced) {
                coldStart = null;
                // Only a complete read is worth keeping; a partial one would shadow a good snapshot.
                snapshots.save(source.routes(), source.instances(), source.claimOrder());
            }
            log.info("Routing table v{}: {} apps, {} hosts, {} healthy instances ({} ms)", table.version(),
                    table.apps(), table.hostCount(), table.healthyInstanceCount(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (RuntimeException e) {
            log.error("Routing table rebuild failed; keeping version {}", current.version(), e);
        }
    }

    private static <V> Map<String, V> withPrivate(Map<String, V> shared, Map<String, V> own) {
        if (own.isEmpty()) {
            return shared;
        }
        Map<String, V> merged = new HashMap<>(shared);
        merged.putAll(own);
        return merged;
    }

    private record Vanished(InstanceStatus status, long deadlineNanos) {
    }

    /**
     * The live instances plus those that vanished while HEALTHY less than the grace ago. A node
     * agent that restarts loses its ephemeral instance nodes until it has re-adopted its
     * containers, which keep serving meanwhile: without this the app would answer 503 for that
     * time. A rebuild is scheduled for when the oldest grace ends.
     */
    private Map<String, InstanceStatus> withVanished(Map<String, InstanceStatus> live) {
        long now = System.nanoTime();
        for (Map.Entry<String, InstanceStatus> last : lastLive.entrySet()) {
            if (!live.containsKey(last.getKey()) && last.getValue().state() == InstanceState.HEALTHY) {
                vanished.putIfAbsent(last.getKey(), new Vanished(last.getValue(), now + vanishedGrace.toNanos()));
            }
        }
        lastLive = live;
        vanished.keySet().removeIf(live::containsKey);
        vanished.values().removeIf(v -> v.deadlineNanos() - now <= 0);
        if (vanished.isEmpty()) {
            return live;
        }
        Map<String, InstanceStatus> effective = new HashMap<>(live);
        long next = Long.MAX_VALUE;
        for (Map.Entry<String, Vanished> entry : vanished.entrySet()) {
            effective.put(entry.getKey(), entry.getValue().status());
            next = Math.min(next, entry.getValue().deadlineNanos() - now);
        }
        log.info("Keeping {} vanished instance(s) routable for up to {} ms", vanished.size(),
                TimeUnit.NANOSECONDS.toMillis(next));
        rebuilder.schedule(this::requestRebuild, next + TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.NANOSECONDS);
        return effective;
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        routes.close();
        instances.close();
        rebuilder.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
