package io.atoll.platform.instances;

import io.atoll.model.InstanceStatus;
import io.atoll.platform.apps.AppService;
import java.util.Comparator;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
class InstanceController {

    private final AppService apps;
    private final DesiredInstanceRepository desired;
    private final ClusterState cluster;

    InstanceController(AppService apps, DesiredInstanceRepository desired, ClusterState cluster) {
        this.apps = apps;
        this.desired = desired;
        this.cluster = cluster;
    }

    @GetMapping("/api/v1/apps/{app}/instances")
    List<InstanceView> list(@PathVariable String app) {
        apps.require(app);
        return desired.findByApp(app).stream()
                .sorted(Comparator.comparing(DesiredInstance::createdAt).thenComparing(DesiredInstance::instanceId))
                .map(instance -> {
                    InstanceStatus status = cluster.instance(app, instance.instanceId());
                    var node = cluster.node(instance.nodeId());
                    return new InstanceView(instance.instanceId(), instance.releaseId(), instance.nodeId(),
                            status != null ? status.zone() : node != null ? node.zone() : null,
                            status == null ? "PENDING" : status.state().name(),
                            status == null ? null : status.address(),
                            status == null ? null : status.since(),
                            instance.draining());
                })
                .toList();
    }
}
