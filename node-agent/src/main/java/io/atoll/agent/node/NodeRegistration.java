package io.atoll.agent.node;

import io.atoll.agent.NodeAgentApplication;
import io.atoll.agent.config.AgentProperties;
import io.atoll.agent.support.BoundedClose;
import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import io.atoll.zk.ZkEphemeral;
import io.atoll.zk.ZkPaths;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This node's ephemeral entry at {@code /atoll/nodes/{nodeId}}: the scheduler places instances
 * only on nodes it sees there, so the entry lives exactly as long as the agent's session.
 */
@Component
public class NodeRegistration implements SmartLifecycle {

    /** Starts before the reconcile loop and stops after it. */
    public static final int PHASE = 0;

    private static final Logger log = LoggerFactory.getLogger(NodeRegistration.class);

    private final CuratorFramework client;
    private final ZkPaths paths;
    private final AgentProperties properties;
    private ZkEphemeral<NodeInfo> node;

    public NodeRegistration(CuratorFramework client, ZkPaths paths, AgentProperties properties) {
        this.client = client;
        this.paths = paths;
        this.properties = properties;
    }

    @Override
    public synchronized void start() {
        if (node == null) {
            node = new ZkEphemeral<>(client, paths.node(properties.nodeId()), info(Resources.NONE)).start();
            log.info("Registering node {} (zone {}, capacity {})", properties.nodeId(), properties.zone(),
                    properties.capacity().toResources());
        }
    }

    /** Written only when it differs from what is there, so calling it every pass is cheap. */
    public synchronized void updateUsage(Resources usage) {
        if (node == null) {
            return;
        }
        try {
            node.update(info(usage));
        } catch (Exception e) {
            log.warn("Could not update node {} usage: {}", properties.nodeId(), e.toString());
        }
    }

    @Override
    public synchronized void stop() {
        if (node != null) {
            BoundedClose.closeAll(List.of(node), Duration.ofSeconds(3));
            node = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return node != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    private NodeInfo info(Resources usage) {
        return new NodeInfo(properties.nodeId(), properties.advertisedHost(), properties.zone(), properties.region(),
                properties.capacity().toResources(), usage, false, agentVersion());
    }

    static String agentVersion() {
        String version = NodeAgentApplication.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
