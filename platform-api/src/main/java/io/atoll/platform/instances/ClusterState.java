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

    private final ZkTreeMirror<NodeInfo> nodes;
    private final ZkTreeMirror<InstanceStatus> instances;
    private final ZkTreeMirror<Assignment> assignments;
    private volatile boolean running;

    ClusterState(CuratorFramework client, ZkPaths paths) {
        this.nodes = ZkTreeMirror.of(client, paths.nodes(), 1, NodeInfo.class);
        this.instances = ZkTreeMirror.of(client, paths.instances(), 2, InstanceStatus.class);
        this.assignments = ZkTreeMirror.of(client, paths.assignments(), 2, Assignment.class);
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
        instances.addListener((key, value) -> listener.accept(key.substring(0, key.indexOf('/'))));
        nodes.addListener((key, value) -> listener.accept(null));
    }

    /** Told of every node that registers ({@code present}) or goes away. */
    public void onNodeChange(java.util.function.BiConsumer<String, Boolean> listener) {
        nodes.addListener((key, value) -> listener.accept(key, value != null));
    }

    /** Assignments in ZooKeeper keyed {@code nodeId/instanceId}. */
    ZkTreeMirror<Assignment> assignments() {
        return assignments;
    }

    boolean assignmentsRead() {
        return assignments.isInitialized();
    }

    @Override
    public void start() {
        nodes.start();
        instances.start();
        assignments.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        nodes.close();
        instances.close();
        assignments.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
