package io.atoll.platform.instances;

import io.atoll.model.NodeInfo;
import io.atoll.platform.control.AppNudges;
import io.atoll.platform.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class NodeController {

    /** A live node as its agent describes it, and whether an operator took it out of service. */
    record NodeView(NodeInfo node, boolean maintenance) {
    }

    /** Body of {@code PUT /nodes/{id}/maintenance}. */
    record MaintenanceRequest(@NotNull Boolean enabled) {
    }

    private final ClusterState cluster;
    private final DesiredInstanceRepository desired;
    private final AppNudges nudges;
    private final JdbcClient jdbc;

    NodeController(ClusterState cluster, DesiredInstanceRepository desired, AppNudges nudges, JdbcClient jdbc) {
        this.cluster = cluster;
        this.desired = desired;
        this.nudges = nudges;
        this.jdbc = jdbc;
    }

    /** The live nodes, as their agents describe them. */
    @GetMapping("/api/v1/nodes")
    List<NodeView> list() {
        Set<String> maintenance = Set.copyOf(jdbc.sql("select node_id from node_maintenance").query(String.class).list());
        return cluster.liveNodes().stream().sorted(Comparator.comparing(NodeInfo::nodeId))
                .map(node -> new NodeView(node, maintenance.contains(node.nodeId()) || node.maintenance()))
                .toList();
    }

    /**
     * Takes a node out of service (or back): no new instance goes there, and its instances are
     * replaced elsewhere first, then drained, as in a deploy.
     */
    @PutMapping("/api/v1/nodes/{node}/maintenance")
    @Transactional
    NodeView maintenance(@PathVariable String node, @Valid @RequestBody MaintenanceRequest request) {
        if (node.length() > 255 || node.isBlank()) {
            throw ApiException.badRequest("a node id has 1 to 255 characters");
        }
        NodeInfo info = cluster.node(node);
        boolean known = info != null || desired.findAll().stream().anyMatch(i -> i.nodeId().equals(node));
        if (!known) {
            throw ApiException.notFound("Node", node);
        }
        if (request.enabled()) {
            int updated = jdbc.sql("update node_maintenance set since = since where node_id = :node")
                    .param("node", node).update();
            if (updated == 0) {
                jdbc.sql("insert into node_maintenance (node_id, since, version) values (:node, :since, 0)")
                        .param("node", node).param("since", java.sql.Timestamp.from(Instant.now())).update();
            }
        } else {
            jdbc.sql("delete from node_maintenance where node_id = :node").param("node", node).update();
        }
        desired.findAll().stream().filter(i -> i.nodeId().equals(node)).map(DesiredInstance::app).distinct()
                .forEach(nudges::nudge);
        return new NodeView(info, request.enabled());
    }
}
