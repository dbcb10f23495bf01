package io.atoll.platform.instances;

import io.atoll.model.Assignment;
import io.atoll.model.InstanceStatus;
import io.atoll.model.NodeInfo;
import io.atoll.zk.ZkPaths;
import io.atoll.zk.ZkTreeMirror;
import java.util.Collection;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * What platform-api sees of the cluster: live nodes, actual instance states and the assignments
 * currently in ZooKeeper, each kept current by a watch.
 */
@Component
public class ClusterState implements SmartLifecycle {

    private final CuratorFramework client;
    private final ZkPaths paths;
    private final java.util.List<ZkTreeMirror.Listener<InstanceStatus>> instanceListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<ZkTreeMirror.Listener<NodeInfo>> nodeListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    // Made anew on every start: a stopped mirror cannot start again, and a context (a test's cached
    // one, for instance) may be stopped and started.
    private volatile ZkTreeMirror<NodeInfo> nodes;
    private volatile ZkTreeMirror<InstanceStatus> instances;
    private volatile ZkTreeMirror<Assignment> assignments;
    private volatile boolean running;

    ClusterState(CuratorFramework client, ZkPaths paths) {
        this.client = client;
        this.paths = paths;
        create();
    }

    private void create() {
        nodes = ZkTreeMirror.of(client, paths.nodes(), 1, NodeInfo.class);
        instances = ZkTreeMirror.of(client, paths.instances(), 2, InstanceStatus.class);
        assignments = ZkTreeMirror.of(client, paths.assignments(), 2, Assignment.class);
        nodes.addListener((key, value) -> nodeListeners.forEach(l -> l.changed(key, value)));
        instances.addListener((key, value) -> instanceListeners.forEach(l -> l.changed(key, value)));
    }

    public Collection<NodeInfo> liveNodes() {
        return nodes.snapshot().values();
    }

    public NodeInfo node(String nodeId) {
        return nodes.get(nodeId);
    }

    public InstanceStatus instance(String app, String instanceId) {
        return instances.get(app + "/" + instanceId);
    }

    /** The app's instances as their agents report them, by instance id. */
    public java.util.Map<String, InstanceStatus> instancesOf(String app) {
        java.util.Map<String, InstanceStatus> found = new java.util.HashMap<>();
        String prefix = app + "/";
        instances.snapshot().forEach((key, status) -> {
            if (key.startsWith(prefix)) {
                found.put(key.substring(prefix.length()), status);
            }
        });
        return found;
    }

    /** Told the app of every instance change, and null for every node change (all apps may be affected). */
    public void onChange(java.util.function.Consumer<String> listener) {
        instanceListeners.add((key, value) -> listener.accept(key.substring(0, key.indexOf('/'))));
        nodeListeners.add((key, value) -> listener.accept(null));
    }

    /** Told of every node that registers or changes (its entry) or goes away (null). */
    public void onNodeChange(java.util.function.BiConsumer<String, NodeInfo> listener) {
        nodeListeners.add(listener::accept);
    }

    /** Assignments in ZooKeeper keyed {@code nodeId/instanceId}. */
    ZkTreeMirror<Assignment> assignments() {
        return assignments;
    }

    boolean assignmentsRead() {
        return assignments.isInitialized();
    }

    /**
     * Nodes, instances and assignments have each been read whole once. Before that the mirrors
     * hold part of the cluster or nothing, and an instance not read yet looks like one that is gone.
     */
    public boolean read() {
        return nodes.isInitialized() && instances.isInitialized() && assignments.isInitialized();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        if (!nodes.isStartable()) {
            create();
        }
        nodes.start();
        instances.start();
        assignments.start();
        running = true;
    }

    @Override
    public synchronized void stop() {
        running = false;
        nodes.close();
        instances.close();
        assignments.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before the controllers' election (Leadership) starts, and stopped after it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 200;
    }
}
