package io.atoll.platform.control;

import io.atoll.platform.apps.AppRepository;
import io.atoll.platform.deploys.DeployEventRepository;
import io.atoll.platform.deploys.DeployProperties;
import io.atoll.platform.deploys.DeployRepository;
import io.atoll.platform.formation.FormationRepository;
import io.atoll.platform.instances.ClusterState;
import io.atoll.platform.instances.DesiredInstanceRepository;
import io.atoll.platform.instances.DesiredStateWriter;
import io.atoll.platform.registry.RegistryClient;
import io.atoll.platform.releases.ReleaseRepository;
import io.atoll.platform.releases.ReleaseService;
import io.atoll.zk.ZkPaths;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

@Configuration(proxyBeanMethods = false)
class ControlConfiguration {

    @Bean
    Leadership leadership(CuratorFramework client, ZkPaths paths, AppRepository apps, FormationRepository formations,
            DeployRepository deploys, DeployEventRepository events, DesiredInstanceRepository desired,
            ReleaseRepository releases, ReleaseService releaseService, DesiredStateWriter writer, ClusterState cluster,
            RegistryClient registry, DeployProperties deployProperties, ControlProperties properties, AppNudges nudges,
            JdbcClient jdbc, MeterRegistry meters) {
        Clock clock = Clock.systemUTC();
        NodeTracker nodes = new NodeTracker(cluster, properties.nodeLostGrace(), clock, nodeId -> {
            try {
                return client.checkExists().forPath(paths.nodeLeft(nodeId)) != null;
            } catch (Exception e) {
                return true; // unknown: the whole grace, as for a clean stop
            }
        });
        AppReconciler reconciler = new AppReconciler(apps, formations, deploys, events, desired, releases,
                releaseService, writer, cluster, registry, deployProperties, nodes, jdbc, clock);
        AppControllers controllers = new AppControllers(reconciler, apps, desired, nudges, cluster, nodes,
                properties.control(), meters);
        Leadership leadership = new Leadership(client, paths, controllers);
        writer.leadingWhen(leadership::isLeader);
        return leadership;
    }
}
