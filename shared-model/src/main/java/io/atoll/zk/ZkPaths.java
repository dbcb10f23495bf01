package io.atoll.zk;

import org.apache.curator.utils.ZKPaths;

/**
 * The ZooKeeper layout of DESIGN §2, in one place. Every path is under a configurable root
 * ({@code atoll.zookeeper.root}) so several Atolls can share one ensemble.
 */
public record ZkPaths(String root) {

    public static final String DEFAULT_ROOT = "/atoll";

    public ZkPaths {
        if (root == null || root.isBlank()) {
            root = DEFAULT_ROOT;
        }
        if (!root.startsWith("/") || (root.length() > 1 && root.endsWith("/"))) {
            throw new IllegalArgumentException("ZooKeeper root must start with '/' and not end with it: " + root);
        }
    }

    public String nodes() {
        return ZKPaths.makePath(root, "nodes");
    }

    public String node(String nodeId) {
        return ZKPaths.makePath(nodes(), nodeId);
    }

    /**
     * Persistent marks of agents that stopped cleanly ({@code /atoll/nodes-left/{nodeId}}): their
     * registration went away with a closed session, not an expired one, so a restart is expected.
     */
    public String nodesLeft() {
        return ZKPaths.makePath(root, "nodes-left");
    }

    public String nodeLeft(String nodeId) {
        return ZKPaths.makePath(nodesLeft(), nodeId);
    }

    public String assignments() {
        return ZKPaths.makePath(root, "assignments");
    }

    public String assignmentsOf(String nodeId) {
        return ZKPaths.makePath(assignments(), nodeId);
    }

    public String assignment(String nodeId, String instanceId) {
        return ZKPaths.makePath(assignmentsOf(nodeId), instanceId);
    }

    public String instances() {
        return ZKPaths.makePath(root, "instances");
    }

    public String instancesOf(String app) {
        return ZKPaths.makePath(instances(), app);
    }

    public String instance(String app, String instanceId) {
        return ZKPaths.makePath(instancesOf(app), instanceId);
    }

    public String routes() {
        return ZKPaths.makePath(root, "routes");
    }

    public String route(String app) {
        return ZKPaths.makePath(routes(), app);
    }

    public String ipGroups() {
        return ZKPaths.makePath(root, "ipgroups");
    }

    public String ipGroup(String name) {
        return ZKPaths.makePath(ipGroups(), name);
    }

    /** One node per host a certificate is served for (exact or {@code *.suffix}), DESIGN §2. */
    public String certificates() {
        return ZKPaths.makePath(root, "certificates");
    }

    public String certificate(String host) {
        return ZKPaths.makePath(certificates(), host);
    }

    /** Curator leader election of the platform-api replicas that run the controllers. */
    public String controllersLeader() {
        return ZKPaths.makePath(root, "leader", "controllers");
    }

    public String schedulerLeader() {
        return ZKPaths.makePath(root, "leader", "scheduler");
    }
}
