package io.atoll.agent.reconcile;

import com.github.dockerjava.api.model.Container;
import io.atoll.agent.config.AgentProperties;
import io.atoll.agent.docker.ContainerEvents;
import io.atoll.agent.docker.ContainerRuntime;
import io.atoll.agent.docker.ContainerSnapshot;
import io.atoll.agent.docker.ContainerSpec;
import io.atoll.agent.health.HealthProbe;
import io.atoll.agent.node.NodeRegistration;
import io.atoll.agent.support.BoundedClose;
import io.atoll.model.AppEnv;
import io.atoll.model.Assignment;
import io.atoll.model.ContainerLabels;
import io.atoll.model.HealthCheck;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.Resources;
import io.atoll.zk.ZkEphemeral;
import io.atoll.zk.ZkPaths;
import io.atoll.zk.ZkTreeMirror;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The node agent's control loop, level-based and keyed by instance id: every pass re-reads the
 * desired state (this node's assignments in ZooKeeper) and the actual state (Docker containers
 * labelled with this node) and acts on the difference. A change in ZooKeeper or a Docker event
 * only wakes it up; the timer wakes it anyway, so a missed event costs at most one interval.
 *
 * <p>A pass runs on one thread and only decides which instances need a look; each instance is
 * then handled on a worker, never two workers on the same instance, so a slow pull or a stop's
 * grace period does not hold up the others.
 *
 * <p>Removal is the one dangerous act, so it happens only while the assignments have been read
 * completely and ZooKeeper is connected: an outage or a slow start never kills running apps.
 * Stopping the agent leaves every container running; only its ephemeral ZooKeeper nodes go.
 */
@Component
public class Reconciler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private static final String ORPHAN_KEY_PREFIX = "container:";

    private final AgentProperties properties;
    private final CuratorFramework client;
    private final ZkPaths paths;
    private final ContainerRuntime runtime;
    private final HealthProbe probe;
    private final NodeRegistration node;

    private final Map<String, InstanceRecord> records = new ConcurrentHashMap<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    /** Instances whose last attempt failed: not retried before their time, unless their assignment changes. */
    private final Map<String, Retry> retries = new ConcurrentHashMap<>();
    private final AtomicBoolean passQueued = new AtomicBoolean();
    private final AtomicLong passIds = new AtomicLong();

    private final Counter passSuccess;
    private final Counter passError;
    private final Counter instanceError;
    private final Counter started;
    private final Counter restarted;
    private final Counter removed;

    private volatile boolean running;
    private ZkTreeMirror<Assignment> assignments;
    private ScheduledExecutorService loop;
    private ExecutorService workers;
    private ScheduledExecutorService health;

    public Reconciler(AgentProperties properties, CuratorFramework client, ZkPaths paths, ContainerRuntime runtime,
            HealthProbe probe, NodeRegistration node, ContainerEvents events, MeterRegistry meters) {
        this.properties = properties;
        this.client = client;
        this.paths = paths;
        this.runtime = runtime;
        this.probe = probe;
        this.node = node;
        this.passSuccess = meters.counter("atoll.agent.reconcile.passes", "result", "success");
        this.passError = meters.counter("atoll.agent.reconcile.passes", "result", "error");
        this.instanceError = meters.counter("atoll.agent.reconcile.instance.errors");
        this.started = meters.counter("atoll.agent.containers", "action", "started");
        this.restarted = meters.counter("atoll.agent.containers", "action", "restarted");
        this.removed = meters.counter("atoll.agent.containers", "action", "removed");
        meters.gauge("atoll.agent.instances", records, Map::size);
        events.onChange(this::requestPass);
    }

    // ---- lifecycle -------------------------------------------------------------------------

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        loop = Executors.newSingleThreadScheduledExecutor(threads("atoll-reconcile"));
        workers = Executors.newFixedThreadPool(4, threads("atoll-instance"));
        health = Executors.newScheduledThreadPool(2, threads("atoll-health"));
        assignments = ZkTreeMirror.of(client, paths.assignmentsOf(properties.nodeId()), 1, Assignment.class);
        assignments.addListener((key, value) -> {
            retries.remove(key);
            requestPass();
        });
        running = true;
        assignments.start();
        long interval = properties.reconcileInterval().toMillis();
        loop.scheduleWithFixedDelay(this::pass, 0, interval, TimeUnit.MILLISECONDS);
        log.info("Reconciling node {} every {}", properties.nodeId(), properties.reconcileInterval());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        loop.shutdownNow();
        workers.shutdown();
        health.shutdownNow();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assignments.close();
        // Containers keep serving; only what this process published goes away.
        List<ZkEphemeral<InstanceStatus>> published = new ArrayList<>();
        for (InstanceRecord record : records.values()) {
            synchronized (record) {
                record.cancelHealthChecks();
                if (record.status != null) {
                    published.add(record.status);
                    record.status = null;
                }
            }
        }
        records.clear();
        BoundedClose.closeAll(published, Duration.ofSeconds(3));
        log.info("Stopped reconciling node {}; containers left running", properties.nodeId());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return NodeRegistration.PHASE + 10;
    }

    /** Wakes the loop now; requests made while a pass is queued collapse into it. */
    public void requestPass() {
        if (running && passQueued.compareAndSet(false, true)) {
            try {
                loop.execute(this::pass);
            } catch (RuntimeException e) {
                passQueued.set(false);
            }
        }
    }

    // ---- one pass --------------------------------------------------------------------------

    private void pass() {
        passQueued.set(false);
        if (!running) {
            return;
        }
        if (!assignments.isInitialized()) {
            // Until the assignments are read nothing can be decided: not even an adoption.
            return;
        }
        long passId = passIds.incrementAndGet();
        try {
            Map<String, Assignment> desired = assignments.snapshot();
            Map<String, String> actual = new HashMap<>();
            Set<String> keys = new LinkedHashSet<>(desired.keySet());
            for (Container container : runtime.listOwned()) {
                String instanceId = container.getLabels() == null ? null : container.getLabels().get(ContainerLabels.INSTANCE);
                String key = instanceId == null ? ORPHAN_KEY_PREFIX + container.getId() : instanceId;
                actual.put(key, container.getId());
                keys.add(key);
            }
            keys.addAll(records.keySet());
            for (String key : keys) {
                dispatch(passId, key, actual.get(key));
            }
            node.updateUsage(usage());
            passSuccess.increment();
            log.debug("Pass {}: {} assignments, {} containers", passId, desired.size(), actual.size());
        } catch (RuntimeException e) {
            passError.increment();
            log.warn("Pass {} failed, retrying on the next tick: {}", passId, e.toString());
        }
    }

    private void dispatch(long passId, String key, String containerId) {
        Retry retry = retries.get(key);
        if (retry != null && Instant.now().isBefore(retry.notBefore())) {
            return;
        }
        if (!inFlight.add(key)) {
            dirty.add(key);
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    if (key.startsWith(ORPHAN_KEY_PREFIX)) {
                        removeUnlabelled(passId, containerId);
                    } else {
                        reconcile(passId, key, containerId);
                    }
                    retries.remove(key);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    instanceError.increment();
                    Retry next = Retry.after(retries.get(key), properties.restart());
                    retries.put(key, next);
                    log.warn("Pass {}: instance {} failed (attempt {}), retrying in {}: {}", passId, key, next.failures(),
                            next.delay(), e.toString());
                } finally {
                    inFlight.remove(key);
                    if (dirty.remove(key)) {
                        requestPass();
                    }
                }
            });
        } catch (RuntimeException e) {
            inFlight.remove(key);
        }
    }

    private void reconcile(long passId, String instanceId, String containerId) throws Exception {
        // Checked before the read: an absence read before the mirror was complete must not be
        // trusted just because the mirror completed a moment later.
        boolean absenceIsReal = safeToRemove();
        Assignment assignment = assignments.get(instanceId);
        // By name when the pass saw no container: one may have been created since its listing.
        ContainerSnapshot container = runtime.inspect(containerId != null ? containerId : containerName(instanceId))
                .filter(found -> properties.nodeId().equals(found.labels().get(ContainerLabels.NODE)))
                .orElse(null);

        if (assignment == null) {
            if (!absenceIsReal) {
                return;
            }
            if (container != null) {
                log.info("Pass {}: removing container {} of instance {}: no assignment", passId, shortId(container.id()),
                        instanceId);
                runtime.stopAndRemove(container.id());
                removed.increment();
            }
            forget(instanceId);
            return;
        }
        if (assignment.draining()) {
            drain(passId, assignment, container);
            return;
        }
        if (container != null && !Objects.equals(container.releaseId(), assignment.releaseId())) {
            // An instance id belongs to one release; a container of another release is stale.
            log.info("Pass {}: replacing container {} of instance {}: release {} is not {}", passId,
                    shortId(container.id()), instanceId, container.releaseId(), assignment.releaseId());
            runtime.stopAndRemove(container.id());
            removed.increment();
            container = null;
        }
        if (container == null) {
            create(passId, assignment);
        } else if (container.running()) {
            track(passId, assignment, container);
        } else {
            restartAfterExit(passId, assignment, container);
        }
    }

    // ---- running, adopting, restarting ----------------------------------------------------

    private void create(long passId, Assignment assignment) throws Exception {
        runtime.ensureImage(assignment.image());
        String id = runtime.create(spec(assignment));
        runtime.start(id);
        started.increment();
        ContainerSnapshot container = runtime.inspect(id)
                .orElseThrow(() -> new IllegalStateException("container " + id + " vanished after start"));
        InstanceRecord record = records.compute(assignment.instanceId(),
                (key, existing) -> existing == null ? new InstanceRecord(assignment, properties.restart()) : existing);
        synchronized (record) {
            record.assignment = assignment;
            record.countedExit = null;
            record.drainingSince = null;
            attach(record, container);
            publish(record, InstanceState.STARTING);
            watchHealth(record);
        }
        log.info("Pass {}: started instance {} of {} as container {} at {}", passId, assignment.instanceId(),
                assignment.app(), shortId(id), address(record));
    }

    /** A running container: adopt it if it is new to this process, else note a restart someone else did. */
    private void track(long passId, Assignment assignment, ContainerSnapshot container) {
        InstanceRecord record = records.computeIfAbsent(assignment.instanceId(),
                key -> new InstanceRecord(assignment, properties.restart()));
        synchronized (record) {
            record.assignment = assignment;
            if (container.id().equals(record.containerId) && Objects.equals(container.startedAt(), record.startedAt)) {
                return;
            }
            boolean adopted = record.containerId == null;
            attach(record, container);
            HealthCheck check = properties.health().complete(assignment.healthCheck());
            // Probing before the first publish lets an adopted healthy instance go straight back to
            // HEALTHY, so the gateway's gap after an agent restart is as short as possible.
            boolean healthy = probe.isHealthy(record.hostPort, check.path(), Duration.ofMillis(check.timeoutMillis()));
            publish(record, healthy ? InstanceState.HEALTHY : record.crashLoop ? InstanceState.CRASHLOOP : InstanceState.STARTING);
            watchHealth(record);
            log.info("Pass {}: {} container {} of instance {} at {} ({})", passId, adopted ? "adopted" : "noticed restart of",
                    shortId(container.id()), assignment.instanceId(), address(record), record.state);
        }
    }

    private void restartAfterExit(long passId, Assignment assignment, ContainerSnapshot container) {
        InstanceRecord record = records.computeIfAbsent(assignment.instanceId(),
                key -> new InstanceRecord(assignment, properties.restart()));
        synchronized (record) {
            record.assignment = assignment;
            Instant now = Instant.now();
            if (!Objects.equals(container.finishedAt(), record.countedExit)) {
                record.countedExit = container.finishedAt();
                record.containerId = container.id();
                record.cancelHealthChecks();
                int recent = record.crashes.record(now);
                Duration backoff = record.crashes.backoff(recent);
                record.crashLoop = record.crashes.isCrashLoop(recent);
                record.restartAt = now.plus(backoff);
                publish(record, record.crashLoop ? InstanceState.CRASHLOOP : InstanceState.UNHEALTHY);
                log.warn("Pass {}: instance {} exited with code {} ({} crashes within {}), restarting in {}{}", passId,
                        assignment.instanceId(), container.exitCode(), recent, properties.restart().crashLoopWindow(),
                        backoff, record.crashLoop ? ": crash loop" : "");
            }
            Duration wait = Duration.between(now, record.restartAt);
            if (!wait.isNegative() && !wait.isZero()) {
                requeueAfter(wait);
                return;
            }
            runtime.start(container.id());
            restarted.increment();
            runtime.inspect(container.id()).ifPresent(fresh -> attach(record, fresh));
            publish(record, record.crashLoop ? InstanceState.CRASHLOOP : InstanceState.STARTING);
            watchHealth(record);
            log.info("Pass {}: restarted container {} of instance {} at {}", passId, shortId(container.id()),
                    assignment.instanceId(), address(record));
        }
    }

    // ---- draining and removal -------------------------------------------------------------

    private void drain(long passId, Assignment assignment, ContainerSnapshot container) {
        if (container == null || !container.running()) {
            if (container != null) {
                runtime.stopAndRemove(container.id());
                removed.increment();
            }
            forget(assignment.instanceId());
            return;
        }
        InstanceRecord record = records.computeIfAbsent(assignment.instanceId(),
                key -> new InstanceRecord(assignment, properties.restart()));
        Duration remaining;
        synchronized (record) {
            record.assignment = assignment;
            if (record.containerId == null) {
                attach(record, container);
            }
            if (record.drainingSince == null) {
                record.drainingSince = Instant.now();
                record.cancelHealthChecks();
                publish(record, InstanceState.DRAINING);
                log.info("Pass {}: draining instance {}; stopping it in {}", passId, assignment.instanceId(),
                        properties.drainDelay());
            }
            remaining = properties.drainDelay().minus(Duration.between(record.drainingSince, Instant.now()));
        }
        if (!remaining.isNegative() && !remaining.isZero()) {
            requeueAfter(remaining);
            return;
        }
        log.info("Pass {}: stopping drained instance {} (container {})", passId, assignment.instanceId(),
                shortId(container.id()));
        runtime.stopAndRemove(container.id());
        removed.increment();
        forget(assignment.instanceId());
    }

    private void removeUnlabelled(long passId, String containerId) {
        if (safeToRemove()) {
            log.info("Pass {}: removing container {}: labelled for this node but with no instance", passId,
                    shortId(containerId));
            runtime.stopAndRemove(containerId);
            removed.increment();
        }
    }

    private void forget(String instanceId) {
        InstanceRecord record = records.remove(instanceId);
        if (record != null) {
            synchronized (record) {
                record.cancelHealthChecks();
                closeStatus(record);
            }
        }
    }

    /** Only act on an absence once it is known to be real: assignments fully read, ZooKeeper reachable. */
    private boolean safeToRemove() {
        return assignments.isInitialized() && client.getZookeeperClient().isConnected();
    }

    // ---- health ---------------------------------------------------------------------------

    private void watchHealth(InstanceRecord record) {
        record.cancelHealthChecks();
        HealthCheck check = properties.health().complete(record.assignment.healthCheck());
        record.check = check;
        record.failures = 0;
        long generation = record.healthGeneration;
        record.healthTask = health.scheduleWithFixedDelay(() -> probeOnce(record, generation, check),
                check.intervalMillis(), check.intervalMillis(), TimeUnit.MILLISECONDS);
    }

    private void probeOnce(InstanceRecord record, long generation, HealthCheck check) {
        int port;
        synchronized (record) {
            if (generation != record.healthGeneration) {
                return;
            }
            port = record.hostPort;
        }
        boolean healthy = probe.isHealthy(port, check.path(), Duration.ofMillis(check.timeoutMillis()));
        synchronized (record) {
            if (generation != record.healthGeneration || record.drainingSince != null) {
                return;
            }
            if (healthy) {
                record.failures = 0;
                if (record.state != InstanceState.HEALTHY) {
                    publish(record, InstanceState.HEALTHY);
                    log.info("Instance {} is healthy at {}", record.instanceId, address(record));
                }
            } else {
                record.failures++;
                if (record.state == InstanceState.HEALTHY && record.failures >= check.unhealthyThreshold()) {
                    publish(record, InstanceState.UNHEALTHY);
                    log.warn("Instance {} is unhealthy: {} failed checks of {}", record.instanceId, record.failures,
                            check.path());
                }
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------

    private ContainerSpec spec(Assignment assignment) {
        Map<String, String> labels = Map.of(
                ContainerLabels.APP, assignment.app(),
                ContainerLabels.INSTANCE, assignment.instanceId(),
                ContainerLabels.RELEASE, String.valueOf(assignment.releaseId()),
                ContainerLabels.NODE, properties.nodeId());
        // The release's config first, so Atoll's own variables cannot be overridden by it.
        Map<String, String> env = new LinkedHashMap<>(assignment.env());
        env.put(AppEnv.PORT, String.valueOf(assignment.containerPort()));
        env.put(AppEnv.APP, assignment.app());
        env.put(AppEnv.RELEASE, String.valueOf(assignment.releaseId()));
        env.put(AppEnv.INSTANCE, assignment.instanceId());
        env.put(AppEnv.ZONE, properties.zone());
        Resources resources = assignment.resources();
        return new ContainerSpec(containerName(assignment.instanceId()), assignment.image(), labels, env,
                assignment.containerPort(), resources.memoryMb(), resources.cpuShares());
    }

    private static String containerName(String instanceId) {
        return "atoll-" + instanceId;
    }

    private static void attach(InstanceRecord record, ContainerSnapshot container) {
        record.containerId = container.id();
        record.hostPort = container.hostPort();
        record.startedAt = container.startedAt();
    }

    private void publish(InstanceRecord record, InstanceState state) {
        if (state != record.state) {
            record.state = state;
            record.since = Instant.now();
        }
        Assignment assignment = record.assignment;
        InstanceStatus status = new InstanceStatus(record.instanceId, record.app, properties.nodeId(), properties.zone(),
                assignment.releaseId(), address(record), record.state, record.since, record.containerId);
        try {
            if (record.status == null) {
                record.status = new ZkEphemeral<>(client, paths.instance(record.app, record.instanceId), status).start();
            } else {
                record.status.update(status);
            }
        } catch (Exception e) {
            // ZkEphemeral keeps the value and writes it once ZooKeeper is back.
            log.warn("Could not publish {} of instance {}: {}", state, record.instanceId, e.toString());
        }
    }

    private void closeStatus(InstanceRecord record) {
        if (record.status != null) {
            try {
                record.status.close();
            } catch (Exception e) {
                log.warn("Could not remove status of instance {}: {}", record.instanceId, e.toString());
            }
            record.status = null;
        }
    }

    private String address(InstanceRecord record) {
        return record.hostPort > 0 ? properties.advertisedHost() + ":" + record.hostPort : null;
    }

    private Resources usage() {
        Resources total = Resources.NONE;
        for (InstanceRecord record : records.values()) {
            synchronized (record) {
                if (record.hasContainer()) {
                    total = total.plus(record.footprint());
                }
            }
        }
        return total;
    }

    private void requeueAfter(Duration delay) {
        if (running) {
            try {
                loop.schedule(this::requestPass, delay.toMillis() + 1, TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                // Shutting down.
            }
        }
    }

    /** Backoff for failed attempts, on the same curve as crash restarts. */
    private record Retry(int failures, Duration delay, Instant notBefore) {

        static Retry after(Retry previous, AgentProperties.Restart policy) {
            int failures = previous == null ? 1 : previous.failures + 1;
            Duration delay = CrashHistory.exponential(policy, failures);
            return new Retry(failures, delay, Instant.now().plus(delay));
        }
    }

    private static String shortId(String containerId) {
        return containerId == null || containerId.length() < 12 ? containerId : containerId.substring(0, 12);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
