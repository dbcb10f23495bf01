package io.atoll.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.curator.utils.ZKPaths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ZkHelpersTest {

    private TestingServer server;
    private CuratorFramework client;
    private final ZkPaths paths = new ZkPaths("/atoll");

    @BeforeEach
    void start() throws Exception {
        server = new TestingServer(true);
        client = CuratorFrameworkFactory.builder()
                .connectString(server.getConnectString())
                .sessionTimeoutMs(3000)
                .connectionTimeoutMs(2000)
                .retryPolicy(new RetryOneTime(100))
                .build();
        client.start();
        client.blockUntilConnected();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    private static InstanceStatus status(String app, String id, InstanceState state) {
        return new InstanceStatus(id, app, "node-1", "z1", "r1", "127.0.0.1:1234", state, Instant.EPOCH, "c1");
    }

    @Test
    void mirrorFollowsCreatesChangesAndDeletesAtItsDepthOnly() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (ZkTreeMirror<InstanceStatus> mirror = ZkTreeMirror.of(client, paths.instances(), 2, InstanceStatus.class)) {
            mirror.addListener((key, value) -> events.add(key + "=" + (value == null ? "gone" : value.state())));
            mirror.start();
            assertThat(mirror.awaitInitialized(Duration.ofSeconds(5))).isTrue();

            var codec = io.atoll.json.JsonCodec.shared();
            client.create().creatingParentsIfNeeded().forPath(paths.instance("web", "i1"),
                    codec.encode(status("web", "i1", InstanceState.STARTING)));
            client.create().creatingParentsIfNeeded().forPath(paths.instance("web", "bad"), "{not json".getBytes());
            await().atMost(Duration.ofSeconds(5)).until(() -> mirror.get("web/i1") != null);

            client.setData().forPath(paths.instance("web", "i1"), codec.encode(status("web", "i1", InstanceState.HEALTHY)));
            await().atMost(Duration.ofSeconds(5)).until(() -> mirror.get("web/i1").state() == InstanceState.HEALTHY);

            client.delete().forPath(paths.instance("web", "i1"));
            await().atMost(Duration.ofSeconds(5)).until(() -> mirror.snapshot().isEmpty());
            // the app folder itself (depth 1) and the unreadable value are never in the map
            assertThat(events).containsExactly("web/i1=STARTING", "web/i1=HEALTHY", "web/i1=gone");
        }
    }

    @Test
    void ephemeralComesBackAfterSessionExpiry() throws Exception {
        String path = paths.instance("web", "i2");
        try (ZkEphemeral<InstanceStatus> node = new ZkEphemeral<>(client, path, status("web", "i2", InstanceState.STARTING))) {
            node.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> client.checkExists().forPath(path) != null);
            node.update(status("web", "i2", InstanceState.HEALTHY));

            long before = client.checkExists().forPath(path).getEphemeralOwner();
            client.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

            await().atMost(Duration.ofSeconds(20)).until(() -> {
                var stat = client.checkExists().forPath(path);
                return stat != null && stat.getEphemeralOwner() != before;
            });
            var value = io.atoll.json.JsonCodec.shared().decode(client.getData().forPath(path), InstanceStatus.class);
            assertThat(value.state()).isEqualTo(InstanceState.HEALTHY);
        }
        assertThat(client.checkExists().forPath(path)).isNull();
    }

    @Test
    void pathsFollowTheDesignLayout() {
        var custom = new ZkPaths("/prod");
        assertThat(custom.assignment("n1", "i1")).isEqualTo("/prod/assignments/n1/i1");
        assertThat(custom.instance("web", "i1")).isEqualTo("/prod/instances/web/i1");
        assertThat(custom.route("web")).isEqualTo("/prod/routes/web");
        assertThat(custom.schedulerLeader()).isEqualTo(ZKPaths.makePath("/prod", "leader", "scheduler"));
    }
}
