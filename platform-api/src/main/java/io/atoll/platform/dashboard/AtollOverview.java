package io.atoll.platform.dashboard;

import io.atoll.model.InstanceStatus;
import io.atoll.model.NodeInfo;
import io.atoll.platform.instances.ClusterState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the dashboard's Atoll page shows in one read: every app with its latest releases, where its
 * instances run (node and zone, in the state their agents report), the nodes, and the deploys in
 * progress. Read from SQL and from the cluster state this replica mirrors; nothing is written.
 */
@Component
class AtollOverview {

    private static final int RELEASES_PER_APP = 5;

    record Overview(Instant at, List<AppSummary> apps, List<NodeSummary> nodes, List<RunningDeploy> deploys) {
    }

    record AppSummary(String name, String team, boolean deleting, String serving, int instances,
            List<ReleaseSummary> releases, List<InstanceSummary> placed) {
    }

    record ReleaseSummary(String version, String image, String cause, String causeDetail, String author,
            Instant createdAt) {
    }

    record InstanceSummary(String instanceId, String release, String node, String zone, String state,
            boolean draining) {
    }

    record NodeSummary(String nodeId, String zone, String host, boolean maintenance, int instances) {
    }

    record RunningDeploy(String app, String id, String status, String image, String release, String author,
            Instant startedAt) {
    }

    private final JdbcClient jdbc;
    private final ClusterState cluster;

    AtollOverview(JdbcClient jdbc, ClusterState cluster) {
        this.jdbc = jdbc;
        this.cluster = cluster;
    }

    Overview read() {
        Map<String, String> versions = new LinkedHashMap<>();
        jdbc.sql("select id, number from app_release").query((rs, row) -> versions.put(rs.getString("id"),
                "v" + rs.getInt("number"))).list();
        Map<String, List<InstanceSummary>> placed = new LinkedHashMap<>();
        Map<String, Integer> perNode = new LinkedHashMap<>();
        jdbc.sql("select instance_id, app, release_id, node_id, draining from desired_instance order by created_at")
                .query((rs, row) -> {
                    String app = rs.getString("app");
                    String id = rs.getString("instance_id");
                    String node = rs.getString("node_id");
                    InstanceStatus status = cluster.instance(app, id);
                    NodeInfo info = cluster.node(node);
                    placed.computeIfAbsent(app, a -> new ArrayList<>()).add(new InstanceSummary(id,
                            versions.get(rs.getString("release_id")), node,
                            status != null ? status.zone() : info != null ? info.zone() : null,
                            status == null ? "PENDING" : status.state().name(), rs.getBoolean("draining")));
                    perNode.merge(node, 1, Integer::sum);
                    return id;
                }).list();
        Map<String, List<ReleaseSummary>> releases = new LinkedHashMap<>();
        jdbc.sql("select app, number, image, cause, cause_detail, author, created_at from app_release"
                + " order by app, number desc").query((rs, row) -> {
                    List<ReleaseSummary> list = releases.computeIfAbsent(rs.getString("app"), a -> new ArrayList<>());
                    if (list.size() < RELEASES_PER_APP) {
                        list.add(new ReleaseSummary("v" + rs.getInt("number"), rs.getString("image"),
                                rs.getString("cause"), rs.getString("cause_detail"), rs.getString("author"),
                                rs.getTimestamp("created_at").toInstant()));
                    }
                    return row;
                }).list();
        List<AppSummary> apps = jdbc.sql("select a.name, a.team, a.deleting, f.release_id, f.instances"
                + " from app a left join formation f on f.app = a.name order by a.name")
                .query((rs, row) -> new AppSummary(rs.getString("name"), rs.getString("team"),
                        rs.getBoolean("deleting"), versions.get(rs.getString("release_id")), rs.getInt("instances"),
                        releases.getOrDefault(rs.getString("name"), List.of()),
                        placed.getOrDefault(rs.getString("name"), List.of())))
                .list();
        Set<String> maintenance = Set.copyOf(jdbc.sql("select node_id from node_maintenance").query(String.class).list());
        List<NodeSummary> nodes = cluster.liveNodes().stream().sorted(Comparator.comparing(NodeInfo::nodeId))
                .map(node -> new NodeSummary(node.nodeId(), node.zone(), node.advertisedHost(),
                        node.maintenance() || maintenance.contains(node.nodeId()),
                        perNode.getOrDefault(node.nodeId(), 0)))
                .toList();
        List<RunningDeploy> deploys = jdbc.sql("select app, id, status, image, release_id, author, created_at"
                + " from deploy where status in ('PENDING', 'RUNNING', 'CANARY', 'ROLLING_BACK') order by created_at")
                .query((rs, row) -> new RunningDeploy(rs.getString("app"), rs.getString("id"), rs.getString("status"),
                        rs.getString("image"), versions.get(rs.getString("release_id")), rs.getString("author"),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
        return new Overview(Instant.now(), apps, nodes, deploys);
    }
}
