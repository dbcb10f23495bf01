package io.atoll.platform.control;

import io.atoll.model.InstanceProblem;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.Resources;
import io.atoll.platform.apps.App;
import io.atoll.platform.apps.AppRepository;
import io.atoll.platform.deploys.Deploy;
import io.atoll.platform.deploys.DeployEvent;
import io.atoll.platform.deploys.DeployEventRepository;
import io.atoll.platform.deploys.DeployProperties;
import io.atoll.platform.deploys.DeployRepository;
import io.atoll.platform.deploys.DeployStatus;
import io.atoll.platform.formation.Formation;
import io.atoll.platform.formation.FormationRepository;
import io.atoll.platform.instances.ClusterState;
import io.atoll.platform.instances.DesiredInstance;
import io.atoll.platform.instances.DesiredInstanceRepository;
import io.atoll.platform.instances.DesiredStateWriter;
import io.atoll.platform.placement.Placement;
import io.atoll.platform.placement.Placer;
import io.atoll.platform.placement.Skips;
import io.atoll.platform.registry.RegistryClient;
import io.atoll.platform.releases.Release;
import io.atoll.platform.releases.ReleaseRepository;
import io.atoll.platform.releases.ReleaseService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The scheduler and the deploy controller of DESIGN §5, as one level-based reconcile per app: it
 * re-reads what the app should run (its formation, or the deploy in progress) and what runs
 * (desired instances in SQL, their state as the agents report it) and acts on the difference. It
 * never trusts the event that woke it, keeps nothing between passes that SQL and ZooKeeper do
 * not hold, and so resumes a deploy wherever a crash or a new leader left it.
 *
 * <p>One pass, in order: finish retirements (drained instances whose agent let go); forget
 * instances on lost nodes; step the app's deploy (pin its image, fail it on a crashing new
 * instance or its deadline, roll it back, succeed it); then converge the instances to the target
 * under {@code maxSurge}/{@code maxUnavailable}: new ones first, old ones drained only as new ones
 * are ready, unready ones first.
 */
final class AppReconciler {

    private static final Logger log = LoggerFactory.getLogger(AppReconciler.class);

    /** While something moves, look again this soon even if no event comes. */
    private static final Duration ACTIVE_REQUEUE = Duration.ofMillis(500);

    /** Until the cluster has been read once, look again this soon. */
    private static final Duration UNREAD_REQUEUE = Duration.ofMillis(200);

    /**
     * What an app should run now.
     *
     * @param keepOthers a canary: the instances of other releases stay as they are
     */
    private record Target(Release release, int count, int maxSurge, int maxUnavailable, Duration minReady,
            boolean keepOthers) {

        Target(Release release, int count, int maxSurge, int maxUnavailable, Duration minReady) {
            this(release, count, maxSurge, maxUnavailable, minReady, false);
        }

        static Target none(int maxUnavailable) {
            return new Target(null, 0, 0, maxUnavailable, Duration.ZERO);
        }

        String runs() {
            return release == null ? null : release.runs();
        }
    }

    private final AppRepository apps;
    private final FormationRepository formations;
    private final DeployRepository deploys;
    private final DeployEventRepository events;
    private final DesiredInstanceRepository desired;
    private final ReleaseRepository releases;
    private final ReleaseService releaseService;
    private final DesiredStateWriter writer;
    private final ClusterState cluster;
    private final RegistryClient registry;
    private final DeployProperties properties;
    private final NodeTracker nodes;
    private final JdbcClient jdbc;
    private final Clock clock;

    AppReconciler(AppRepository apps, FormationRepository formations, DeployRepository deploys,
            DeployEventRepository events, DesiredInstanceRepository desired, ReleaseRepository releases,
            ReleaseService releaseService, DesiredStateWriter writer, ClusterState cluster, RegistryClient registry,
            DeployProperties properties, NodeTracker nodes, JdbcClient jdbc, Clock clock) {
        this.apps = apps;
        this.formations = formations;
        this.deploys = deploys;
        this.events = events;
        this.desired = desired;
        this.releases = releases;
        this.releaseService = releaseService;
        this.writer = writer;
        this.cluster = cluster;
        this.registry = registry;
        this.properties = properties;
        this.nodes = nodes;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** @return when to look again even without an event; null for only on events and resync */
    Duration reconcile(String name) throws Exception {
        if (!cluster.read()) {
            // A new leader's first passes can come before its mirrors of ZooKeeper are filled: an
            // unread instance would look gone, and a deploy would drain every old instance at once.
            return UNREAD_REQUEUE;
        }
        Instant now = clock.instant();
        App app = apps.findById(name).orElse(null);
        List<DesiredInstance> instances = desired.findByApp(name);
        if (app == null) {
            // Leftovers of an app whose rows are gone: nothing may keep running for it.
            if (!instances.isEmpty()) {
                writer.remove(instances);
            }
            return null;
        }
        // Settings that reach running instances without a release (the IP groups the app may reach).
        writer.refresh(app, instances);
        Map<String, InstanceStatus> states = cluster.instancesOf(name);
        Set<String> live = nodes.live();
        Set<String> maintenance = maintenanceNodes();
        Duration again = null;

        // Retirements the agents finished (the instance node is gone), or that took too long.
        List<DesiredInstance> retired = new ArrayList<>();
        for (DesiredInstance instance : instances) {
            if (instance.draining()) {
                boolean gone = states.get(instance.instanceId()) == null;
                boolean overdue = instance.drainingSince() == null
                        || instance.drainingSince().plus(properties.drainTimeout()).isBefore(now);
                if (gone || overdue || nodes.lost(instance.nodeId(), live)) {
                    retired.add(instance);
                } else {
                    again = ACTIVE_REQUEUE;
                }
            } else if (!live.contains(instance.nodeId())) {
                if (nodes.lost(instance.nodeId(), live)) {
                    log.warn("App {}: node {} is lost; placing instance {} elsewhere", name, instance.nodeId(),
                            instance.instanceId());
                    retired.add(instance);
                } else {
                    again = min(again, nodes.untilLost(instance.nodeId()).plusMillis(50));
                }
            }
        }
        if (!retired.isEmpty()) {
            writer.remove(retired);
            instances = desired.findByApp(name);
        }

        if (app.deleting()) {
            return delete(app, instances, states, now);
        }

        Formation formation = formations.findById(name).orElse(Formation.empty(name));
        Deploy deploy = deploys.findActive(name).orElse(null);
        Target target;
        if (deploy != null) {
            target = stepDeploy(app, deploy, formation, instances, states, maintenance, now);
            again = ACTIVE_REQUEUE;
        } else {
            Release serving = formation.releaseId() == null ? null : releases.findById(formation.releaseId()).orElse(null);
            target = serving == null || serving.pinnedImage().isEmpty() ? Target.none(0)
                    : new Target(serving, formation.instances(), properties.maxSurge(), properties.maxUnavailable(),
                            Duration.ZERO);
        }
        if (target != null) {
            Duration converging = converge(app, target, deploy, desired.findByApp(name), states, live, maintenance, now);
            again = min(again, converging);
            if (deploy != null) {
                // This pass may have drained the last instance in the way: then the deploy is done now,
                // not a round trip through the agent (or ACTIVE_REQUEUE) later.
                succeedIfConverged(name, target, formation, states, maintenance, now);
            }
            if (target.release() != null || !desired.findByApp(name).isEmpty()) {
                writer.writeRoute(app, weights(deploys.findActive(name).orElse(null)));
            }
        }
        return again;
    }

    /**
     * A canary's share, per release the instances carry (the gateway weighs releases): the new one
     * gets the canary's weight, the one it started from the rest. Empty otherwise: every HEALTHY
     * instance equal.
     */
    private Map<String, Integer> weights(Deploy deploy) {
        if (deploy == null || !deploy.canary() || deploy.releaseId() == null || deploy.fromReleaseId() == null
                || (deploy.status() != DeployStatus.RUNNING && deploy.status() != DeployStatus.CANARY)) {
            return Map.of();
        }
        Release to = releases.findById(deploy.releaseId()).orElse(null);
        Release from = releases.findById(deploy.fromReleaseId()).orElse(null);
        if (to == null || from == null || to.runs().equals(from.runs())) {
            return Map.of();
        }
        return Map.of(to.runs(), deploy.canaryWeight(), from.runs(), 100 - deploy.canaryWeight());
    }

    // ------------------------------------------------------------------ deploys

    /** @return the target the deploy asks for now; null when it just finished (the next pass takes the formation) */
    private Target stepDeploy(App app, Deploy deploy, Formation formation, List<DesiredInstance> instances,
            Map<String, InstanceStatus> states, Set<String> maintenance, Instant now) {
        if (deploy.status() == DeployStatus.PENDING) {
            deploy = begin(app, deploy, formation, now);
            if (deploy == null) {
                return null;
            }
        }
        Release release = releases.findById(deploy.releaseId()).orElseThrow();
        if (deploy.canary() && (deploy.status() == DeployStatus.RUNNING || deploy.status() == DeployStatus.CANARY)) {
            return stepCanary(deploy, release, formation, instances, states, maintenance, now);
        }
        if (deploy.status() == DeployStatus.RUNNING) {
            Target target = new Target(release, deploy.instances(), deploy.maxSurge(), deploy.maxUnavailable(),
                    Duration.ofSeconds(deploy.minReadySeconds()));
            List<DesiredInstance> fresh = active(instances).stream()
                    .filter(i -> i.releaseId().equals(release.runs()) && !maintenance.contains(i.nodeId()))
                    .toList();
            String failure = failureOf(fresh, states, deploy, now);
            if (failure != null) {
                return rollBack(deploy, failure, formation, now);
            }
            if (converged(target, instances, states, maintenance, now)) {
                succeed(deploy, release, formation, now);
            }
            return target;
        }
        // ROLLING_BACK: back to what served before, with as many instances as it had.
        Release from = deploy.fromReleaseId() == null ? null : releases.findById(deploy.fromReleaseId()).orElse(null);
        Target target = from == null || from.pinnedImage().isEmpty() ? Target.none(0)
                : new Target(from, formation.instances(), Math.max(1, deploy.maxSurge()), 0, Duration.ZERO);
        if (!converged(target, instances, states, maintenance, now)
                && deploy.updatedAt().plusSeconds(deploy.progressDeadlineSeconds()).isBefore(now)) {
            // What served before does not come back either: stop moving, say so, leave it to a person.
            finish(deploy, DeployStatus.FAILED, deploy.reason() + "; and the rollback did not complete within "
                    + deploy.progressDeadlineSeconds() + " s", now, "failed", "the rollback did not complete within "
                    + deploy.progressDeadlineSeconds() + " s");
            return target;
        }
        if (converged(target, instances, states, maintenance, now)) {
            if (from == null) {
                finish(deploy, DeployStatus.FAILED, null, now, "failed",
                        "the new instances are removed; there was no earlier release to roll back to");
            } else {
                finish(deploy, DeployStatus.ROLLED_BACK, null, now, "rolled-back",
                        from.label() + " serves again with " + formation.instances() + " instance(s)");
            }
        }
        return target;
    }

    /** A rolling deploy still RUNNING whose target the instances now match succeeds. */
    private void succeedIfConverged(String name, Target target, Formation formation, Map<String, InstanceStatus> states,
            Set<String> maintenance, Instant now) {
        Deploy current = deploys.findActive(name).orElse(null);
        if (current == null || current.status() != DeployStatus.RUNNING || current.canary()
                || target.release() == null || !target.release().id().equals(current.releaseId())
                || target.count() != current.instances()) {
            return;
        }
        if (converged(target, desired.findByApp(name), states, maintenance, now)) {
            succeed(current, target.release(), formation, now);
        }
    }

    private void succeed(Deploy deploy, Release release, Formation formation, Instant now) {
        formations.save(formation.serving(release.id(), deploy.instances()));
        finish(deploy, DeployStatus.SUCCEEDED, null, now, "succeeded",
                release.label() + " serves with " + deploy.instances() + " healthy instance(s)");
    }

    /**
     * A canary: as few instances of the new release as its share of the traffic takes (at least
     * one), beside all the old ones, then CANARY until a person promotes or aborts it. A crash
     * rolls it back as in a rolling deploy; the deadline applies until it reaches CANARY.
     */
    private Target stepCanary(Deploy deploy, Release release, Formation formation, List<DesiredInstance> instances,
            Map<String, InstanceStatus> states, Set<String> maintenance, Instant now) {
        int count = Math.max(1, (int) Math.ceil(deploy.instances() * deploy.canaryWeight() / 100.0));
        Target target = new Target(release, count, deploy.maxSurge(), deploy.maxUnavailable(),
                Duration.ofSeconds(deploy.minReadySeconds()), true);
        List<DesiredInstance> fresh = active(instances).stream()
                .filter(i -> i.releaseId().equals(release.runs()) && !maintenance.contains(i.nodeId()))
                .toList();
        String failure = failureOf(fresh, states, deploy, now);
        if (failure != null && (deploy.status() == DeployStatus.RUNNING || !failure.startsWith("not ready within"))) {
            return rollBack(deploy, failure, formation, now);
        }
        long ready = fresh.stream().filter(i -> ready(states.get(i.instanceId()), target.minReady(), now)).count();
        if (deploy.status() == DeployStatus.RUNNING && ready >= count) {
            Deploy waiting = deploys.save(deploy.withStatus(DeployStatus.CANARY, null, now));
            event(waiting, now, "canary", release.label() + " serves " + deploy.canaryWeight() + "% of the traffic from "
                    + count + " instance(s); promote or abort the deploy");
        }
        return target;
    }

    /** PENDING → RUNNING: the image is pinned by digest and becomes the next release. Null when it failed. */
    private Deploy begin(App app, Deploy deploy, Formation formation, Instant now) {
        String releaseId = deploy.releaseId();
        if (releaseId == null) {
            String pinned;
            try {
                pinned = registry.pin(deploy.image());
            } catch (RegistryClient.ImageNotFoundException e) {
                finish(deploy, DeployStatus.FAILED, e.getMessage(), now, "failed", e.getMessage());
                return null;
            }
            Release release = releaseService.forImage(app, deploy.image(), pinned, deploy.memoryMb(),
                    properties.defaultMemoryMb(), properties.defaultCpuShares(), deploy.author());
            releaseId = release.id();
            event(deploy, now, "release", release.label() + ": " + deploy.image() + " pinned to " + pinned);
        }
        String from = deploy.fromReleaseId() != null ? deploy.fromReleaseId() : formation.releaseId();
        Deploy running = deploys.save(deploy.running(releaseId, from, now));
        Release release = releases.findById(releaseId).orElseThrow();
        event(running, now, "rolling", "rolling out " + release.label() + " to " + running.instances()
                + " instance(s), max surge " + running.maxSurge() + ", max unavailable " + running.maxUnavailable());
        return running;
    }

    /**
     * Why the deploy must stop: a new instance the agent reports as crash-looping or unable to run
     * (at once, not at the deadline), or the deadline passed. Null while it may go on.
     */
    private String failureOf(List<DesiredInstance> fresh, Map<String, InstanceStatus> states, Deploy deploy,
            Instant now) {
        for (DesiredInstance instance : fresh) {
            InstanceStatus status = states.get(instance.instanceId());
            if (status != null && (status.state() == InstanceState.CRASHLOOP || status.state() == InstanceState.FAILED)) {
                return "instance " + instance.instanceId() + " on node " + instance.nodeId() + " is "
                        + status.state() + ": " + describe(status.problem());
            }
        }
        Instant started = deploy.startedAt() == null ? deploy.createdAt() : deploy.startedAt();
        if (started.plusSeconds(deploy.progressDeadlineSeconds()).isBefore(now)) {
            String states0 = fresh.stream().map(instance -> {
                InstanceStatus status = states.get(instance.instanceId());
                return instance.instanceId() + " " + (status == null ? "not started"
                        : status.state() + (status.problem() == null ? "" : " (" + describe(status.problem()) + ")"));
            }).collect(Collectors.joining(", "));
            return "not ready within " + deploy.progressDeadlineSeconds() + " s: "
                    + (states0.isEmpty() ? "no instance could be placed" : states0);
        }
        return null;
    }

    private static String describe(InstanceProblem problem) {
        return problem == null ? "no reason reported" : problem.describe();
    }

    private Target rollBack(Deploy deploy, String reason, Formation formation, Instant now) {
        log.warn("Deploy {} of {} failed: {}", deploy.id(), deploy.app(), reason);
        Deploy back = deploys.save(deploy.withStatus(DeployStatus.ROLLING_BACK, reason, now));
        event(back, now, "failed", reason);
        Release from = back.fromReleaseId() == null ? null : releases.findById(back.fromReleaseId()).orElse(null);
        event(back, now, "rolling-back", from == null ? "removing the new instances (nothing served before)"
                : "rolling back to " + from.label());
        return from == null || from.pinnedImage().isEmpty() ? Target.none(0)
                : new Target(from, formation.instances(), Math.max(1, back.maxSurge()), 0, Duration.ZERO);
    }

    private void finish(Deploy deploy, DeployStatus status, String reason, Instant now, String kind, String message) {
        Deploy done = deploys.save(deploy.withStatus(status, reason, now));
        event(done, now, kind, message);
        log.info("Deploy {} of {}: {} ({})", deploy.id(), deploy.app(), status, message);
    }

    private void event(Deploy deploy, Instant at, String kind, String message) {
        events.save(new DeployEvent(null, deploy.id(), at, kind, message.length() > 4000
                ? message.substring(0, 3997) + "..." : message));
    }

    // ------------------------------------------------------------------ converging

    /**
     * Moves the instances one step towards the target: new instances while the surge allows,
     * instances that are not of the target (or stand on a node in maintenance) drained while
     * enough ready ones remain, extra ones drained.
     *
     * @return when to look again (an instance becomes ready after minReady), or null
     */
    private Duration converge(App app, Target target, Deploy deploy, List<DesiredInstance> instances,
            Map<String, InstanceStatus> states, Set<String> live, Set<String> maintenance, Instant now)
            throws Exception {
        List<DesiredInstance> active = active(instances);
        String runs = target.runs();
        List<DesiredInstance> current = active.stream()
                .filter(i -> i.releaseId().equals(runs) && !maintenance.contains(i.nodeId())).toList();
        List<DesiredInstance> obsolete = active.stream().filter(i -> !current.contains(i)).toList();
        int count = target.count();

        int missing = count - current.size();
        if (missing > 0) {
            int room = obsolete.isEmpty() || target.keepOthers() ? missing : count + target.maxSurge() - active.size();
            int add = Math.min(missing, Math.max(0, room));
            if (add > 0) {
                place(app, target.release(), add, deploy, live, maintenance, now);
            }
        }

        List<DesiredInstance> toDrain = new ArrayList<>();
        if (target.keepOthers()) {
            obsolete = List.of();
        }
        long readyCurrent = current.stream().filter(i -> ready(states.get(i.instanceId()), target.minReady(), now)).count();
        long readyObsolete = obsolete.stream().filter(i -> ready(states.get(i.instanceId()), Duration.ZERO, now)).count();
        long minAvailable = Math.max(0, count - target.maxUnavailable());
        // Obsolete instances that serve nothing go first: they cost no capacity.
        for (DesiredInstance instance : obsolete) {
            if (!ready(states.get(instance.instanceId()), Duration.ZERO, now)) {
                toDrain.add(instance);
            }
        }
        long available = readyCurrent + readyObsolete;
        for (DesiredInstance instance : oldestFirst(obsolete)) {
            if (ready(states.get(instance.instanceId()), Duration.ZERO, now) && available - 1 >= minAvailable) {
                toDrain.add(instance);
                available--;
            }
        }
        if (current.size() > count) {
            // Too many of the target: the unready ones and the newest go.
            List<DesiredInstance> extras = new ArrayList<>(current);
            extras.sort(Comparator.comparing((DesiredInstance i) -> ready(states.get(i.instanceId()), Duration.ZERO, now))
                    .thenComparing(DesiredInstance::createdAt, Comparator.reverseOrder()));
            toDrain.addAll(extras.subList(0, current.size() - count));
        }
        if (!toDrain.isEmpty()) {
            writer.drain(app, toDrain, now);
            if (deploy != null) {
                event(deploy, now, "draining", "draining " + toDrain.stream().map(DesiredInstance::instanceId)
                        .collect(Collectors.joining(", ")));
            }
        }
        if (!target.minReady().isZero() && !target.minReady().isNegative()) {
            return target.minReady();
        }
        return null;
    }

    private void place(App app, Release release, int count, Deploy deploy, Set<String> live, Set<String> maintenance,
            Instant now) throws Exception {
        Resources each = new Resources(release.memoryMb(), release.cpuShares(), 1);
        List<Placer.Placed> existing = desired.findAll().stream()
                .map(i -> new Placer.Placed(i.nodeId(), i.app(), new Resources(i.memoryMb(), i.cpuShares(), 1)))
                .toList();
        // As many as fit now; the rest on a later pass, when room appears (or the deadline fails the deploy).
        Placement placement = Placer.of(cluster.liveNodes(), existing, Skips.none().withMaintenance(maintenance))
                .placeWhatFits(app.name(), count, each);
        if (placement.shortage() != null) {
            String shortage = placement.shortage().describe();
            if (deploy != null && deploy.status() == DeployStatus.RUNNING
                    && events.findAfter(deploy.id(), 0).stream().noneMatch(e -> e.kind().equals("no-room"))) {
                event(deploy, now, "no-room", shortage);
            }
            log.warn("App {}: {}", app.name(), shortage);
        }
        if (placement.nodeIds().isEmpty()) {
            return;
        }
        Release runs = releases.findById(release.runs()).orElse(release);
        List<DesiredInstance> placed = new ArrayList<>();
        for (String nodeId : placement.nodeIds()) {
            String id = runs.id() + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
            placed.add(DesiredInstance.create(id, app.name(), runs.id(), nodeId, each.memoryMb(), each.cpuShares(), now));
        }
        writer.add(app, runs, placed);
        if (deploy != null) {
            event(deploy, now, "placed", placed.stream().map(i -> i.instanceId() + " on " + i.nodeId())
                    .collect(Collectors.joining(", ")));
        }
    }

    /** The target is reached: its count of ready instances of its spec, and nothing else running. */
    private boolean converged(Target target, List<DesiredInstance> instances, Map<String, InstanceStatus> states,
            Set<String> maintenance, Instant now) {
        List<DesiredInstance> active = active(instances);
        String runs = target.runs();
        long ready = active.stream()
                .filter(i -> i.releaseId().equals(runs) && !maintenance.contains(i.nodeId()))
                .filter(i -> ready(states.get(i.instanceId()), target.minReady(), now))
                .count();
        return active.size() == target.count() && ready == target.count();
    }

    private static boolean ready(InstanceStatus status, Duration minReady, Instant now) {
        return status != null && status.state() == InstanceState.HEALTHY
                && (minReady.isZero() || status.since() == null || !status.since().plus(minReady).isAfter(now));
    }

    private static List<DesiredInstance> active(List<DesiredInstance> instances) {
        return instances.stream().filter(i -> !i.draining()).toList();
    }

    private static List<DesiredInstance> oldestFirst(List<DesiredInstance> instances) {
        List<DesiredInstance> sorted = new ArrayList<>(instances);
        sorted.sort(Comparator.comparing(DesiredInstance::createdAt));
        return sorted;
    }

    // ------------------------------------------------------------------ deleting

    private Duration delete(App app, List<DesiredInstance> instances, Map<String, InstanceStatus> states, Instant now)
            throws Exception {
        List<DesiredInstance> running = active(instances);
        if (!running.isEmpty()) {
            writer.drain(app, running, now);
        }
        if (!instances.isEmpty()) {
            return ACTIVE_REQUEUE;
        }
        writer.deleteRoute(app.name());
        String name = app.name();
        jdbc.sql("delete from deploy_event where deploy_id in (select id from deploy where app = :app)")
                .param("app", name).update();
        jdbc.sql("delete from deploy where app = :app").param("app", name).update();
        jdbc.sql("delete from formation where app = :app").param("app", name).update();
        jdbc.sql("delete from app_host where app = :app").param("app", name).update();
        jdbc.sql("delete from app_release where app = :app").param("app", name).update();
        jdbc.sql("delete from app where name = :app").param("app", name).update();
        log.info("App {} deleted: its instances are gone, its route and its rows too", name);
        return null;
    }

    private Set<String> maintenanceNodes() {
        return Set.copyOf(jdbc.sql("select node_id from node_maintenance").query(String.class).list());
    }

    private static Duration min(Duration a, Duration b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }
}
