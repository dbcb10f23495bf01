package io.atoll.agent.node;

import io.atoll.agent.NodeAgentApplication;
import io.atoll.agent.config.AgentProperties;
import io.atoll.agent.support.BoundedClose;
import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import io.atoll.zk.ZkEphemeral;
import io.atoll.zk.ZkPaths;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * This node's ephemeral entry at {@code /atoll/nodes/{nodeId}}: the scheduler places instances
 * only on nodes it sees there, so the entry lives exactly as long as the agent's session.
 *
 * <p>A clean stop leaves a mark at {@code /atoll/nodes-left/{nodeId}} before the entry goes: the
 * control plane then gives the node its whole grace to come back (an agent restart, an upgrade).
 * An entry that goes without the mark went with an expired session, i.e. the agent has been
 * silent for its session timeout already, which the entry carries so that the grace can count
 * from then. The mark is removed once the agent is registered again.
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
    /** The mark of an earlier clean stop may still be there. */
    private boolean leftMarkMayExist = true;
    /** Known once the web server listens (its port may be chosen at start). */
    private volatile String agentUrl;
    private Resources lastUsage = Resources.NONE;

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
        lastUsage = usage;
        try {
            node.update(info(usage));
            if (leftMarkMayExist) {
                client.delete().quietly().forPath(paths.nodeLeft(properties.nodeId()));
                leftMarkMayExist = false;
            }
        } catch (Exception e) {
            log.warn("Could not update node {} usage: {}", properties.nodeId(), e.toString());
        }
    }

    /**
     * The agent's HTTP endpoint (its log endpoint) goes into the entry once its port is known, so that
     * platform-api knows where to read this node's logs.
     */
    @EventListener
    public synchronized void webServerStarted(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null) {
            return; // a separate management server
        }
        String host = properties.advertisedHost();
        agentUrl = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + event.getWebServer().getPort();
        if (node != null) {
            try {
                node.update(info(lastUsage));
            } catch (Exception e) {
                log.warn("Could not write the agent URL of node {}: {}", properties.nodeId(), e.toString());
            }
        }
    }

    @Override
    public synchronized void stop() {
        if (node != null) {
            markLeft();
            BoundedClose.closeAll(List.of(node), Duration.ofSeconds(3));
            node = null;
        }
    }

    private void markLeft() {
        if (!client.getZookeeperClient().isConnected()) {
            return; // the session is about to expire rather than close: that is what the control plane will see
        }
        try {
            client.create().orSetData().creatingParentsIfNeeded()
                    .forPath(paths.nodeLeft(properties.nodeId()), Instant.now().toString().getBytes(StandardCharsets.UTF_8));
            leftMarkMayExist = true;
        } catch (Exception e) {
            log.warn("Could not mark node {} as stopped cleanly ({}): the control plane may place its instances "
                    + "elsewhere before its grace is over", properties.nodeId(), e.toString());
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
                properties.capacity().toResources(), usage, false, agentVersion(), negotiatedSessionTimeout(), agentUrl);
    }

    private long negotiatedSessionTimeout() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionTimeout();
        } catch (Exception e) {
            return 0; // not connected yet: the next pass writes it
        }
    }

    static String agentVersion() {
        String version = NodeAgentApplication.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
