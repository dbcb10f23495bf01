package io.atoll.platform.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

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
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A replica that has just won the election may run its first passes before its mirrors of
 * ZooKeeper are filled (ClusterState reads them in the background). Such a pass saw no instance
 * states: every old instance of a deploy in progress looked unready and was drained at once, and
 * draining instances looked gone. It must wait for the first whole read instead of acting.
 */
class AppReconcilerUnreadClusterTest {

    @Test
    void aPassBeforeTheClusterIsReadTouchesNothingAndLooksAgainSoon() throws Exception {
        ClusterState cluster = mock(ClusterState.class);
        when(cluster.read()).thenReturn(false);
        AppRepository apps = mock(AppRepository.class);
        DeployRepository deploys = mock(DeployRepository.class);
        DesiredInstanceRepository desired = mock(DesiredInstanceRepository.class);
        DesiredStateWriter writer = mock(DesiredStateWriter.class);
        JdbcClient jdbc = mock(JdbcClient.class);
        AppReconciler reconciler = new AppReconciler(apps, mock(FormationRepository.class), deploys,
                mock(DeployEventRepository.class), desired, mock(ReleaseRepository.class), mock(ReleaseService.class),
                writer, cluster, mock(RegistryClient.class),
                new DeployProperties(null, null, null, null, null, null, null),
                new NodeTracker(cluster, Duration.ofSeconds(15), Clock.systemUTC(), node -> true), jdbc, Clock.systemUTC());

        Duration again = reconciler.reconcile("shop");

        assertThat(again).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
        verifyNoInteractions(apps, deploys, desired, writer, jdbc);
    }
}
