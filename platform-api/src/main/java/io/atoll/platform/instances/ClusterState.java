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
