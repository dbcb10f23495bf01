package io.atoll.agent.reconcile;

import com.github.dockerjava.api.model.Container;
import io.atoll.agent.config.AgentProperties;
import io.atoll.agent.docker.ContainerEvents;
import io.atoll.agent.docker.ContainerRuntime;
import io.atoll.agent.docker.ContainerSnapshot;
import io.atoll.agent.docker.ContainerSpec;
import io.atoll.agent.docker.EngineRefusedException;
import io.atoll.agent.firewall.Firewall;
import io.atoll.agent.health.HealthProbe;
import io.atoll.agent.health.ProbeResult;
import io.atoll.agent.logs.KeptLogs;
import io.atoll.agent.node.NodeRegistration;
import io.atoll.agent.support.Backoff;
import io.atoll.agent.support.BoundedClose;
import io.atoll.model.AppEnv;
import io.atoll.model.Assignment;
import io.atoll.model.ContainerLabels;
import io.atoll.model.HealthCheck;
import io.atoll.model.InstanceProblem;
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
import java.util.EnumMap;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ScheduledFuture;
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
 * <p>Whatever keeps an instance from serving is published with its reason, at once: a pull,
 * create or start the engine refuses makes it {@code FAILED} (retried with backoff, republished
 * only when the reason changes); an exit makes it {@code UNHEALTHY}, or {@code CRASHLOOP} once the
 * restarts back off, with the exit code or OOM kill and the log's last lines; a failing health
 * check is carried as the problem of a {@code STARTING} or {@code UNHEALTHY} instance.
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
    private final Firewall firewall;
    private final CuratorFramework client;
    private final ZkPaths paths;
    private final ContainerRuntime runtime;
    private final HealthProbe probe;
    private final NodeRegistration node;
    /** Keeps a container's last lines before it is removed, for the log endpoint. */
    private final KeptLogs keptLogs;

    private final Map<String, InstanceRecord> records = new ConcurrentHashMap<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    /** Instances whose last attempt failed: not retried before their time, unless their assignment changes. */
    private final Map<String, Attempts> retries = new ConcurrentHashMap<>();
    /** When each assignment last changed in the mirror, for the timing in the log line of a start. */
    private final Map<String, Long> assignmentSeen = new ConcurrentHashMap<>();
    private final AtomicBoolean passQueued = new AtomicBoolean();
    private final AtomicLong passIds = new AtomicLong();

    private final Counter passSuccess;
    private final Counter passError;
    private final Counter instanceError;
    private final Counter started;
    private final Counter restarted;
    private final Counter removed;
    private final Map<InstanceProblem.Kind, Counter> problemCounters = new EnumMap<>(InstanceProblem.Kind.class);

    private volatile boolean running;
    private ZkTreeMirror<Assignment> assignments;
    private ScheduledExecutorService loop;
    private ExecutorService workers;
    private ScheduledExecutorService health;

    public Reconciler(AgentProperties properties, CuratorFramework client, ZkPaths paths, ContainerRuntime runtime,
            HealthProbe probe, NodeRegistration node, ContainerEvents events, MeterRegistry meters, KeptLogs keptLogs,
            Firewall firewall) {
        this.firewall = firewall;
        this.properties = properties;
        this.client = client;
        this.paths = paths;
        this.runtime = runtime;
        this.probe = probe;
        this.node = node;
        this.keptLogs = keptLogs;
        this.passSuccess = meters.counter("atoll.agent.reconcile.passes", "result", "success");
        this.passError = meters.counter("atoll.agent.reconcile.passes", "result", "error");
        this.instanceError = meters.counter("atoll.agent.reconcile.instance.errors");
        this.started = meters.counter("atoll.agent.containers", "action", "started");
        this.restarted = meters.counter("atoll.agent.containers", "action", "restarted");
        this.removed = meters.counter("atoll.agent.containers", "action", "removed");
        for (InstanceProblem.Kind kind : InstanceProblem.Kind.values()) {
            problemCounters.put(kind, meters.counter("atoll.agent.instance.problems", "kind", kind.name()));
        }
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
            assignmentSeen.put(key, System.nanoTime());
            if (value != null && running && assignments.isInitialized()) {
                // A new or changed assignment goes to a worker at once, not after the pass has listed
                // the containers (a Docker round trip); the pass still comes, for everything else.
                dispatch(passIds.incrementAndGet(), key, null);
            }
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
        Attempts attempts = retries.get(key);
        if (attempts != null && Instant.now().isBefore(attempts.notBefore())) {
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
                    Attempts next = Attempts.after(retries.get(key), properties.retry());
                    retries.put(key, next);
                    requeueAfter(next.delay());
                    if (e instanceof EngineRefusedException refused) {
                        // Published (and logged as a warning) when it first said this; from then on a retry is routine.
                        log.info("Pass {}: instance {} refused again (attempt {}), retrying in {}: {}", passId, key,
                                next.failures(), next.delay(), refused.getMessage());
                    } else {
                        log.warn("Pass {}: instance {} failed (attempt {}), retrying in {}: {}", passId, key,
                                next.failures(), next.delay(), e.toString());
                    }
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
        StepTimer steps = new StepTimer(assignmentSeen.remove(instanceId), "to the worker");
        // Checked before the read: an absence read before the mirror was complete must not be
        // trusted just because the mirror completed a moment later.
        boolean absenceIsReal = safeToRemove();
        Assignment assignment = assignments.get(instanceId);
        // By name when the pass saw no container: one may have been created since its listing.
        ContainerSnapshot container = runtime.inspect(containerId != null ? containerId : containerName(instanceId))
                .filter(found -> properties.nodeId().equals(found.labels().get(ContainerLabels.NODE)))
                .orElse(null);
        steps.step("inspect");

        if (assignment == null) {
            if (!absenceIsReal) {
                return;
            }
            if (container != null) {
                log.info("Pass {}: removing container {} of instance {}: no assignment", passId, shortId(container.id()),
                        instanceId);
                keptLogs.keep(container.id());
                stopAndRemove(container.id());
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
            keptLogs.keep(container.id());
            stopAndRemove(container.id());
            removed.increment();
            container = null;
        } else if (container != null && !container.onAppNetwork()) {
            // Made before the apps' network (an older agent): no firewall rule confines it there.
            log.warn("Pass {}: replacing container {} of instance {}: it is not on the apps' network, where it "
                    + "would be confined", passId, shortId(container.id()), instanceId);
            keptLogs.keep(container.id());
            stopAndRemove(container.id());
            removed.increment();
            container = null;
        }
        if (container == null) {
            create(passId, assignment, steps);
        } else if (container.running()) {
            track(passId, assignment, container);
        } else if (container.neverStarted()) {
            // Created by an agent that died before starting it.
            start(passId, recordFor(assignment), container.id(), steps);
        } else {
            restartAfterExit(passId, assignment, container);
        }
    }

    // ---- running, adopting, restarting ----------------------------------------------------

    private void create(long passId, Assignment assignment, StepTimer steps) throws Exception {
        InstanceRecord record = recordFor(assignment);
        synchronized (record) {
            record.cancelHealthChecks();
            record.detach();
        }
        String id;
        try {
            runtime.ensureImage(assignment.image());
            steps.step("image");
            if (!firewall.confines()) {
                // An app that started unconfined could open connections that outlive the rules.
                throw new EngineRefusedException(InstanceProblem.Kind.CREATE_FAILED,
                        "this node's firewall is not in place yet: " + firewall.problem(), null);
            }
            id = runtime.create(spec(assignment));
            steps.step("create");
        } catch (EngineRefusedException e) {
            throw refused(passId, record, null, e);
        }
        start(passId, record, id, steps);
    }

    /**
     * Starts a container that was created and has never run, probes it once at once and publishes it:
     * HEALTHY if that probe passed (many apps answer within milliseconds), else STARTING. An instance
     * that is healthy when first published costs the control plane one ZooKeeper write and one
     * reconcile fewer on the deploy's path.
     */
    private void start(long passId, InstanceRecord record, String id, StepTimer steps) {
        try {
            runtime.start(id);
        } catch (EngineRefusedException e) {
            throw refused(passId, record, id, e);
        }
        steps.step("start");
        started.increment();
        ContainerSnapshot container = runtime.inspect(id)
                .orElseThrow(() -> new IllegalStateException("container " + id + " vanished after start"));
        steps.step("inspect");
        HealthCheck check;
        synchronized (record) {
            check = properties.health().complete(record.assignment.healthCheck());
        }
        // The probe at once of ProbeDelays, here rather than on the health executor so that its
        // result is what is published first. Bounded tighter than the check: the worker waits for it.
        boolean healthy = probe.check(container.hostPort(), check.path(),
                Duration.ofMillis(Math.min(check.timeoutMillis(), FIRST_PROBE_TIMEOUT_MILLIS))).healthy();
        steps.step("probe");
        synchronized (record) {
            record.countedExit = null;
            record.drainingSince = null;
            record.lastExit = null;
            attach(record, container);
            publish(record, healthy ? InstanceState.HEALTHY : InstanceState.STARTING, null);
            // The schedule goes on after its probe at once: at the interval, or 10 ms later.
            watchHealth(record, healthy ? check.intervalMillis() : ProbeDelays.next(ProbeDelays.FIRST_MILLIS, false,
                    check.intervalMillis()));
            record.probes = 1;
        }
        steps.step("publish");
        log.info("Pass {}: started instance {} of {} as container {} at {}, {} ({})", passId, record.instanceId,
                record.app, shortId(id), address(record), healthy ? "HEALTHY at once" : "STARTING", steps);
    }

    /** How long the probe made right after a start may take: longer, and the instance is STARTING. */
    private static final long FIRST_PROBE_TIMEOUT_MILLIS = 200;

    /**
     * The engine refused a pull, create or start: publish FAILED with its words at once, and give
     * the exception back (config values hidden) for the caller to throw, so that the attempt is
     * retried with backoff. The same refusal again changes nothing in ZooKeeper. A container that
     * would not start is removed: the next attempt creates it afresh from the assignment as it is
     * then, so a corrected assignment is not stuck with a container made from the old one.
     */
    private EngineRefusedException refused(long passId, InstanceRecord record, String containerId,
            EngineRefusedException e) {
        Map<String, String> env = record.assignment.env();
        EngineRefusedException redacted = e.filtered(message -> Problems.redact(message, env));
        if (containerId != null) {
            try {
                keptLogs.keep(containerId);
                stopAndRemove(containerId);
                removed.increment();
            } catch (RuntimeException removal) {
                log.warn("Pass {}: could not remove container {} that would not start: {}", passId,
                        shortId(containerId), removal.toString());
            }
        }
        synchronized (record) {
            record.cancelHealthChecks();
            record.detach();
            InstanceProblem problem = Problems.refused(e.kind(), redacted.engineMessage(), record.restarts, Instant.now());
            if (!Problems.same(record.problem, problem) || record.state != InstanceState.FAILED) {
                problemCounters.get(e.kind()).increment();
                log.warn("Pass {}: instance {} of {} FAILED: {}", passId, record.instanceId, record.app,
                        redacted.getMessage());
            }
            publish(record, InstanceState.FAILED, problem);
        }
        return redacted;
    }

    /** A running container: adopt it if it is new to this process, else note a restart someone else did. */
    private void track(long passId, Assignment assignment, ContainerSnapshot container) {
        InstanceRecord record = recordFor(assignment);
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
            boolean healthy = probe.check(record.hostPort, check.path(), Duration.ofMillis(check.timeoutMillis())).healthy();
            if (healthy) {
                record.lastExit = null;
            }
            publish(record, healthy ? InstanceState.HEALTHY : record.crashLoop ? InstanceState.CRASHLOOP : InstanceState.STARTING,
                    healthy ? null : record.lastExit);
            watchHealth(record, ProbeDelays.FIRST_MILLIS);
            log.info("Pass {}: {} container {} of instance {} at {} ({})", passId, adopted ? "adopted" : "noticed restart of",
                    shortId(container.id()), assignment.instanceId(), address(record), record.state);
        }
    }

    private void restartAfterExit(long passId, Assignment assignment, ContainerSnapshot container) {
        InstanceRecord record = recordFor(assignment);
        synchronized (record) {
            Instant now = Instant.now();
            if (!Objects.equals(container.finishedAt(), record.countedExit)) {
                String previousExit = record.countedExit;
                record.countedExit = container.finishedAt();
                record.containerId = container.id();
                record.hostPort = 0;
                record.networkAddress = null;
                record.cancelHealthChecks();
                int crashes = record.crashes.record(container.ranFor());
                Duration backoff = record.crashes.backoff(crashes);
                record.crashLoop = record.crashes.isCrashLoop(crashes);
                record.restartAt = now.plus(backoff);
                // Read before the restart: from then on the tail is the new run's. Only this run's
                // lines: those after the exit before it (the first time, and after an adoption, all).
                AgentProperties.CrashLogs bounds = properties.crashLogs();
                List<String> lines = runtime.lastLogLines(container.id(), previousExit, bounds.lines(),
                        bounds.maxBytes());
                InstanceProblem problem = Problems.redact(Problems.exited(container,
                        assignment.resources().memoryMb(), lines, record.restarts, now), assignment.env());
                record.lastExit = problem;
                problemCounters.get(problem.kind()).increment();
                publish(record, record.crashLoop ? InstanceState.CRASHLOOP : InstanceState.UNHEALTHY, problem);
                // The log lines stay out of the agent's log: they are the app's words, published for its team.
                log.warn("Pass {}: instance {} {} with code {} ({} crashes in a row), restarting {}{}", passId,
                        assignment.instanceId(), container.oomKilled() ? "was OOM-killed" : "exited",
                        container.exitCode(), crashes, backoff.isZero() ? "now" : "in " + backoff,
                        record.crashLoop ? ": crash loop" : "");
            }
            Duration wait = Duration.between(now, record.restartAt);
            if (!wait.isNegative() && !wait.isZero()) {
                requeueAfter(wait);
                return;
            }
            try {
                runtime.start(container.id());
            } catch (EngineRefusedException e) {
                throw refused(passId, record, container.id(), e);
            }
            record.restarts++;
            restarted.increment();
            runtime.inspect(container.id()).ifPresent(fresh -> attach(record, fresh));
            record.lastExit = Problems.withRestarts(record.lastExit, record.restarts);
            publish(record, record.crashLoop ? InstanceState.CRASHLOOP : InstanceState.STARTING, record.lastExit);
            watchHealth(record, ProbeDelays.FIRST_MILLIS);
            log.info("Pass {}: restarted container {} of instance {} at {} (restart {})", passId,
                    shortId(container.id()), assignment.instanceId(), address(record), record.restarts);
        }
    }

    // ---- draining and removal -------------------------------------------------------------

    private void drain(long passId, Assignment assignment, ContainerSnapshot container) {
        if (container == null || !container.running()) {
            if (container != null) {
                keptLogs.keep(container.id());
                stopAndRemove(container.id());
                removed.increment();
            }
            forget(assignment.instanceId());
            return;
        }
        InstanceRecord record = recordFor(assignment);
        Duration remaining;
        synchronized (record) {
            if (record.containerId == null) {
                attach(record, container);
            }
            if (record.drainingSince == null) {
                record.drainingSince = Instant.now();
                record.cancelHealthChecks();
                publish(record, InstanceState.DRAINING, null);
                log.info("Pass {}: draining instance {}; stopping it in {}", passId, assignment.instanceId(),
                        properties.drainDelay());
            }
            remaining = properties.drainDelay().minus(Duration.between(record.drainingSince, Instant.now()));
        }
        if (!remaining.isNegative() && !remaining.isZero()) {
            requeueAfter(remaining);
            return;
        }
        // The app's own grace when it has one: a server that finishes its requests on SIGTERM
        // gets that long to do it.
        Duration grace = assignment.stopGraceSeconds() > 0 ? Duration.ofSeconds(assignment.stopGraceSeconds())
                : properties.stopGrace();
        log.info("Pass {}: stopping drained instance {} (container {}, SIGKILL after {})", passId,
                assignment.instanceId(), shortId(container.id()), grace);
        keptLogs.keep(container.id());
        stopAndRemove(container.id(), grace);
        removed.increment();
        forget(assignment.instanceId());
    }

    private void removeUnlabelled(long passId, String containerId) {
        if (safeToRemove()) {
            log.info("Pass {}: removing container {}: labelled for this node but with no instance", passId,
                    shortId(containerId));
            stopAndRemove(containerId);
            removed.increment();
        }
    }

    /** Its firewall grants go first: once stopped, its address may go to the next container. */
    private void stopAndRemove(String containerId) {
        stopAndRemove(containerId, properties.stopGrace());
    }

    private void stopAndRemove(String containerId, Duration grace) {
        firewall.revoke(containerId);
        runtime.stopAndRemove(containerId, grace);
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

    /** (Re)starts the instance's health checks, the first after {@code firstDelayMillis} (see {@link ProbeDelays}). */
    private void watchHealth(InstanceRecord record, long firstDelayMillis) {
        record.cancelHealthChecks();
        HealthCheck check = properties.health().complete(record.assignment.healthCheck());
        record.check = check;
        record.failures = 0;
        record.probes = 0;
        record.checksSince = System.nanoTime();
        long generation = record.healthGeneration;
        scheduleProbe(record, generation, check, firstDelayMillis);
    }

    /**
     * Probes on the schedule of {@link ProbeDelays}: at once, 10 ms later, then from 50 ms doubling to
     * the interval until HEALTHY; then every interval.
     */
    private void scheduleProbe(InstanceRecord record, long generation, HealthCheck check, long delayMillis) {
        try {
            ScheduledFuture<?> task = health.schedule(() -> {
                probeOnce(record, generation, check, ProbeDelays.countsFailure(delayMillis, check.intervalMillis()));
                long next;
                synchronized (record) {
                    if (generation != record.healthGeneration) {
                        return;
                    }
                    next = ProbeDelays.next(delayMillis, record.state == InstanceState.HEALTHY,
                            check.intervalMillis());
                }
                scheduleProbe(record, generation, check, next);
            }, delayMillis, TimeUnit.MILLISECONDS);
            synchronized (record) {
                if (generation == record.healthGeneration) {
                    record.healthTask = task;
                } else {
                    task.cancel(false);
                }
            }
        } catch (RejectedExecutionException e) {
            if (running) {
                throw e;
            }
            // Stopping: the next agent takes over the checks.
        }
    }

    /**
     * One probe and what it changes: a pass makes the instance HEALTHY with no problem; failures
     * count, and at {@code unhealthyThreshold} in a row a HEALTHY instance turns UNHEALTHY, while
     * one still STARTING (or crash-looping) stays so but carries the last result as its problem,
     * unless it carries an exit already (the more telling reason). Rewritten only when the result
     * says something new. A failure that does not {@code count} (the early probes after a start,
     * see {@link ProbeDelays}) changes nothing.
     */
    private void probeOnce(InstanceRecord record, long generation, HealthCheck check, boolean count) {
        int port;
        synchronized (record) {
            if (generation != record.healthGeneration) {
                return;
            }
            port = record.hostPort;
        }
        long probing = System.nanoTime();
        ProbeResult result = probe.check(port, check.path(), Duration.ofMillis(check.timeoutMillis()));
        long probed = System.nanoTime();
        synchronized (record) {
            if (generation != record.healthGeneration || record.drainingSince != null) {
                return;
            }
            record.probes++;
            if (result.healthy()) {
                record.failures = 0;
                record.lastExit = null;
                if (record.state != InstanceState.HEALTHY || record.problem != null) {
                    publish(record, InstanceState.HEALTHY, null);
                    long now = System.nanoTime();
                    log.info("Instance {} is healthy at {} (probe {}, {} ms after the checks began: probe {} ms, "
                            + "publish {} ms)", record.instanceId, address(record), record.probes, (now - record.checksSince) / 1_000_000,
                            (probed - probing) / 1_000_000, (now - probed) / 1_000_000);
                }
                return;
            }
            if (!count) {
                return;
            }
            record.failures++;
            if (record.failures < check.unhealthyThreshold()) {
                return;
            }
            InstanceProblem problem = Problems.healthCheck(check.path(), result.detail(), record.restarts, Instant.now());
            boolean replaceable = record.problem == null || record.problem.kind() == InstanceProblem.Kind.HEALTH_CHECK_FAILED;
            if (record.state == InstanceState.HEALTHY) {
                problemCounters.get(InstanceProblem.Kind.HEALTH_CHECK_FAILED).increment();
                publish(record, InstanceState.UNHEALTHY, problem);
                log.warn("Instance {} is unhealthy: {} failed checks in a row, last {}", record.instanceId,
                        record.failures, problem.message());
            } else if (replaceable && !Problems.same(record.problem, problem)) {
                if (record.problem == null) {
                    problemCounters.get(InstanceProblem.Kind.HEALTH_CHECK_FAILED).increment();
                    log.info("Instance {} is not healthy yet after {} checks: {}", record.instanceId, record.failures,
                            problem.message());
                }
                publish(record, record.state, problem);
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

    private InstanceRecord recordFor(Assignment assignment) {
        InstanceRecord record = records.computeIfAbsent(assignment.instanceId(),
                key -> new InstanceRecord(assignment, properties.restart()));
        synchronized (record) {
            record.assignment = assignment;
        }
        return record;
    }

    private static String containerName(String instanceId) {
        return "atoll-" + instanceId;
    }

    private static void attach(InstanceRecord record, ContainerSnapshot container) {
        record.containerId = container.id();
        record.hostPort = container.hostPort();
        record.networkAddress = container.networkAddress();
        record.startedAt = container.startedAt();
    }

    /**
     * Publishes the instance's state and problem. {@code since} moves only when the state does, and
     * a problem that says the same as the published one keeps its time, so an unchanged status is
     * not written again ({@link ZkEphemeral#update} skips equal values).
     */
    private void publish(InstanceRecord record, InstanceState state, InstanceProblem problem) {
        if (state != record.state) {
            record.state = state;
            record.since = Instant.now();
        }
        record.problem = Problems.stable(record.problem, problem);
        Assignment assignment = record.assignment;
        InstanceStatus status = new InstanceStatus(record.instanceId, record.app, properties.nodeId(), properties.zone(),
                assignment.releaseId(), address(record), record.state, record.since, record.containerId, record.problem);
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

    /**
     * Where the gateway sends the instance's traffic. The container's own address skips the
     * userland proxy Docker puts behind a published port on loopback (a process and two socket
     * copies per connection); a container not on the apps' network keeps its published port.
     */
    private String address(InstanceRecord record) {
        if (record.hostPort <= 0) {
            return null;
        }
        if (record.networkAddress != null && properties.publishesContainerAddress()) {
            return record.networkAddress;
        }
        return properties.advertisedHost() + ":" + record.hostPort;
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

    /** Failed attempts at one instance, and when the next may be made. */
    private record Attempts(int failures, Duration delay, Instant notBefore) {

        static Attempts after(Attempts previous, AgentProperties.Retry policy) {
            int failures = previous == null ? 1 : previous.failures + 1;
            Duration delay = Backoff.exponential(policy.initialBackoff(), policy.maxBackoff(), failures);
            return new Attempts(failures, delay, Instant.now().plus(delay));
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
