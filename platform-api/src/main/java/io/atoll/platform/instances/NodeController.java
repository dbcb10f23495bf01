package io.atoll.platform.instances;

import io.atoll.model.NodeInfo;
import java.util.Comparator;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class NodeController {

    private final ClusterState cluster;

    NodeController(ClusterState cluster) {
        this.cluster = cluster;
    }

    /** The live nodes, as their agents describe them. */
    @GetMapping("/api/v1/nodes")
    List<NodeInfo> list() {
        return cluster.liveNodes().stream().sorted(Comparator.comparing(NodeInfo::nodeId)).toList();
    }
}
