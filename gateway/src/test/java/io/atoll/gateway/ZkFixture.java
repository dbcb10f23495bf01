package io.atoll.gateway;

import io.atoll.json.JsonCodec;
import io.atoll.model.AppRoute;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.RouteRule;
import io.atoll.zk.ZkPaths;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;

/** An in-process ZooKeeper and a client writing what platform-api and the agents would write. */
final class ZkFixture implements AutoCloseable {

    final TestingServer server;
    final CuratorFramework client;
    final ZkPaths paths = new ZkPaths("/atoll");
    private final JsonCodec codec = JsonCodec.shared();

    ZkFixture() {
        try {
            server = new TestingServer(true);
            client = CuratorFrameworkFactory.builder()
                    .connectString(server.getConnectString())
                    .sessionTimeoutMs(5000)
                    .connectionTimeoutMs(2000)
                    .retryPolicy(new RetryOneTime(100))
                    .build();
            client.start();
            client.blockUntilConnected();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test ZooKeeper", e);
        }
    }

    private volatile boolean running = true;

    boolean isRunning() {
        return running;
    }

    void stopServer() throws java.io.IOException {
        running = false;
        server.stop();
    }

    void restartServer() throws Exception {
        server.restart();
        running = true;
    }

    String connectString() {
        return server.getConnectString();
    }

    void route(String app, RouteRule... rules) throws Exception {
        write(paths.route(app), new AppRoute(app, List.of(rules), Map.of(), 1));
    }

    void route(String app, Map<String, Integer> weights, RouteRule... rules) throws Exception {
        write(paths.route(app), new AppRoute(app, List.of(rules), weights, 1));
    }

    void instance(String app, String id, String address, InstanceState state) throws Exception {
        instance(app, id, address, state, "z1", "r1");
    }

    void instance(String app, String id, String address, InstanceState state, String zone, String release)
            throws Exception {
        write(paths.instance(app, id),
                new InstanceStatus(id, app, "node-1", zone, release, address, state, Instant.now(), "c-" + id));
    }

    void removeInstance(String app, String id) throws Exception {
        client.delete().forPath(paths.instance(app, id));
    }

    private void write(String path, Object value) throws Exception {
        byte[] bytes = codec.encode(value);
        if (client.checkExists().forPath(path) == null) {
            client.create().creatingParentsIfNeeded().forPath(path, bytes);
        } else {
            client.setData().forPath(path, bytes);
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
        server.close();
    }
}
