package io.atoll.platform.instances;

import io.atoll.json.JsonCodec;
import io.atoll.model.AppRoute;
import io.atoll.model.Assignment;
import io.atoll.model.HealthCheck;
import io.atoll.model.Resources;
import io.atoll.model.RouteRule;
import io.atoll.platform.apps.App;
import io.atoll.platform.apps.AppRepository;
import io.atoll.platform.releases.Release;
import io.atoll.platform.releases.ReleaseRepository;
import io.atoll.zk.ZkPaths;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The one writer of assignments and routes. SQL is the original: every change is saved there
 * first, then copied to ZooKeeper; a periodic pass on the leading replica copies anything
 * ZooKeeper lost (a wiped ensemble, a write that failed while it was away) and deletes what SQL
 * no longer has, so the cluster converges to the desired state by itself.
 *
 * <p>Methods are synchronized so the periodic pass never sees half of a reconcile's change.
 */
@Component
public class DesiredStateWriter {

    private static final Logger log = LoggerFactory.getLogger(DesiredStateWriter.class);

    private final CuratorFramework client;
    private final ZkPaths paths;
    private final ClusterState cluster;
    private final DesiredInstanceRepository desired;
    private final AppRepository apps;
    private final ReleaseRepository releases;
    private final JsonCodec codec = JsonCodec.shared();
    private final Counter repaired;
    /** The route last written per app, so an unchanged one costs no ZooKeeper round trip. */
    private final Map<String, byte[]> written = new ConcurrentHashMap<>();
    /** Release weights per app while a canary runs; the repair pass writes routes with them. */
    private final Map<String, Map<String, Integer>> weights = new ConcurrentHashMap<>();
    private volatile BooleanSupplier leading = () -> true;

    DesiredStateWriter(CuratorFramework client, ZkPaths paths, ClusterState cluster, DesiredInstanceRepository desired,
            AppRepository apps, ReleaseRepository releases, MeterRegistry meters) {
        this.client = client;
        this.paths = paths;
        this.cluster = cluster;
        this.desired = desired;
        this.apps = apps;
        this.releases = releases;
        this.repaired = Counter.builder("atoll.platform.zookeeper.repairs")
                .description("ZooKeeper values rewritten or deleted because they differed from SQL")
                .register(meters);
    }

    /** Only the leading replica repairs ZooKeeper; the others would only race it. */
    public void leadingWhen(BooleanSupplier isLeading) {
        this.leading = isLeading;
    }

    /** Whether this replica leads, and so repairs what ZooKeeper holds. */
    public boolean isLeading() {
        return leading.getAsBoolean() && client.getZookeeperClient().isConnected();
    }

    public synchronized void add(App app, Release release, List<DesiredInstance> instances) throws Exception {
        desired.saveAll(instances);
        for (DesiredInstance instance : instances) {
            write(instance, assignment(app, release, instance));
        }
    }

    public synchronized void drain(App app, List<DesiredInstance> instances, Instant now) throws Exception {
        for (DesiredInstance instance : instances) {
            DesiredInstance draining = desired.save(instance.asDraining(now));
            Release release = releases.findById(instance.releaseId()).orElseThrow();
            write(draining, assignment(app, release, draining));
        }
    }

    public synchronized void remove(List<DesiredInstance> instances) throws Exception {
        // by id: the caller's copies may predate a drain that bumped their version
        desired.deleteAllById(instances.stream().map(DesiredInstance::instanceId).toList());
        for (DesiredInstance instance : instances) {
            client.delete().quietly().forPath(paths.assignment(instance.nodeId(), instance.instanceId()));
        }
    }

    /**
     * Rewrites the assignments of the app's instances that differ from what SQL says now in the
     * app settings that reach running instances without a new release (the IP groups it may
     * reach, its stop grace). Compared with the mirror, so a pass that changes nothing writes
     * nothing.
     */
    public synchronized void refresh(App app, List<DesiredInstance> instances) throws Exception {
        Map<String, Release> releasesById = new HashMap<>();
        for (DesiredInstance instance : instances) {
            // This app's instances only: a copy of the whole mirror on every pass would grow with the cluster.
            Assignment current = cluster.assignments().get(instance.nodeId() + "/" + instance.instanceId());
            if (current == null || (current.dependencies().equals(app.dependencyList())
                    && current.stopGraceSeconds() == app.stopGraceSeconds())) {
                continue;
            }
            Release release = releasesById.computeIfAbsent(instance.releaseId(),
                    id -> releases.findById(id).orElse(null));
            if (release != null) {
                write(instance, assignment(app, release, instance));
            }
        }
    }

    /** Writes the app's route unless ZooKeeper already has exactly this one from us. */
    public synchronized void writeRoute(App app) throws Exception {
        writeRoute(app, weights.getOrDefault(app.name(), Map.of()));
    }

    /** @param releaseWeights share of traffic per release id; empty for every HEALTHY instance equal */
    public synchronized void writeRoute(App app, Map<String, Integer> releaseWeights) throws Exception {
        if (releaseWeights.isEmpty()) {
            weights.remove(app.name());
        } else {
            weights.put(app.name(), Map.copyOf(releaseWeights));
        }
        byte[] value = codec.encode(route(app));
        if (Arrays.equals(value, written.get(app.name()))) {
            return;
        }
        client.create().orSetData().creatingParentsIfNeeded().forPath(paths.route(app.name()), value);
        written.put(app.name(), value);
    }

    public synchronized void deleteRoute(String app) throws Exception {
        client.delete().quietly().forPath(paths.route(app));
        written.remove(app);
        weights.remove(app);
    }

    /** Copies SQL into ZooKeeper wherever they differ. */
    @Scheduled(initialDelayString = "${atoll.platform.sync.initial-delay:1s}",
            fixedDelayString = "${atoll.platform.sync.interval:15s}")
    public synchronized void syncAll() {
        if (!leading.getAsBoolean() || !client.getZookeeperClient().isConnected() || !cluster.assignmentsRead()) {
            return;
        }
        try {
            // ZooKeeper first, then SQL: everything ZooKeeper has was saved to SQL before it.
            Map<String, Assignment> inZk = cluster.assignments().snapshot();
            Map<String, App> appsByName = new HashMap<>();
            apps.findAll().forEach(app -> appsByName.put(app.name(), app));
            Map<String, Release> releasesById = new HashMap<>();
            Map<String, DesiredInstance> wanted = new HashMap<>();
            for (DesiredInstance instance : desired.findAll()) {
                wanted.put(instance.nodeId() + "/" + instance.instanceId(), instance);
            }
            for (var entry : wanted.entrySet()) {
                DesiredInstance instance = entry.getValue();
                App app = appsByName.get(instance.app());
                Release release = releasesById.computeIfAbsent(instance.releaseId(),
                        id -> releases.findById(id).orElse(null));
                if (app == null || release == null) {
                    continue;
                }
                Assignment assignment = assignment(app, release, instance);
                if (!assignment.equals(inZk.get(entry.getKey()))) {
                    log.info("Restoring assignment {} in ZooKeeper", entry.getKey());
                    write(instance, assignment);
                    repaired.increment();
                }
            }
            for (String key : inZk.keySet()) {
                if (!wanted.containsKey(key)) {
                    log.info("Deleting assignment {} that SQL no longer has", key);
                    String[] parts = key.split("/", 2);
                    client.delete().quietly().forPath(paths.assignment(parts[0], parts[1]));
                    repaired.increment();
                }
            }
            for (App app : appsByName.values()) {
                if (releases.maxNumber(app.name()) > 0 && !routeIsCurrent(app)) {
                    log.info("Restoring the route of {} in ZooKeeper", app.name());
                    written.remove(app.name());
                    writeRoute(app);
                    repaired.increment();
                }
            }
        } catch (Exception e) {
            log.warn("Could not sync desired state to ZooKeeper; will retry: {}", e.toString());
        }
    }

    /**
     * Compared whole, not only for presence: a route that differs from SQL (hosts an upgrade took
     * from an app that had claimed them second, a hand edit) must not keep routing.
     */
    private boolean routeIsCurrent(App app) throws Exception {
        try {
            return Arrays.equals(client.getData().forPath(paths.route(app.name())), codec.encode(route(app)));
        } catch (KeeperException.NoNodeException e) {
            return false;
        }
    }

    /** What the agent is told to run: the release's image, config vars, port and health check. */
    Assignment assignment(App app, Release release, DesiredInstance instance) {
        return new Assignment(instance.instanceId(), app.name(), instance.releaseId(), release.pinnedImage(),
                release.configVars().environment(), release.containerPort(),
                new Resources(instance.memoryMb(), instance.cpuShares(), 1), HealthCheck.ofPath(release.healthPath()),
                app.dependencyList(), instance.draining(), app.stopGraceSeconds());
    }

    private void write(DesiredInstance instance, Assignment assignment) throws Exception {
        client.create().orSetData().creatingParentsIfNeeded()
                .forPath(paths.assignment(instance.nodeId(), instance.instanceId()), codec.encode(assignment));
    }

    private AppRoute route(App app) {
        // Version = creation time of the app: the gateway only needs it to tell tables apart.
        return new AppRoute(app.name(), List.of(RouteRule.forHosts(app.hostList()).withFilters(app.routeFilterList())),
                weights.getOrDefault(app.name(), Map.of()), app.createdAt().toEpochMilli());
    }
}
