package io.atoll.gateway;

import io.atoll.crypto.KeySealer;
import io.atoll.json.JsonCodec;
import io.atoll.model.AppRoute;
import io.atoll.model.HostCertificate;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.RouteRule;
import io.atoll.zk.ZkPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;

/**
 * An in-process ZooKeeper and a client writing what platform-api and the agents would write.
 *
 * <p>The server outlives its test class: {@link #close()} closes only the client. Spring keeps a
 * class's context cached after the class, pauses it when the next class needs another (Spring 7)
 * and closes it when the JVM exits; each of those deregisters the gateway from discovery, which
 * against a stopped ZooKeeper waited for a connection timeout per Spring Cloud bean (Curator's ten
 * retries each before {@code RetriesUntilClose}): 30-40 s per test class.
 */
final class ZkFixture implements AutoCloseable {

    final TestingServer server;
    final CuratorFramework client;
    final ZkPaths paths = new ZkPaths("/atoll");
    private final JsonCodec codec = JsonCodec.shared();

    ZkFixture() {
        try {
            // Its data under target/, not /tmp: the server is never closed, so nothing would delete it.
            server = new TestingServer(-1, Files.createDirectories(Path.of("target", "test-zookeeper"))
                    .resolve(UUID.randomUUID().toString()).toFile());
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

    /**
     * What platform-api writes for an uploaded certificate: the chain, and the key sealed for the host with
     * {@code sealingKey}, the gateway's {@code atoll.gateway.tls.encryption-key}. Valid for a day.
     */
    void certificate(String app, String host, String chainPem, String keyPem, String sealingKey, boolean redirect,
            long hstsSeconds) throws Exception {
        write(paths.certificate(host), new HostCertificate(app, host, chainPem,
                KeySealer.of("k", sealingKey).seal(keyPem.getBytes(StandardCharsets.US_ASCII), host), Instant.now(),
                Instant.now().plusSeconds(86400), "test", redirect, hstsSeconds, System.currentTimeMillis()));
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

    /** The client only; the server stops with the JVM (see the class comment). */
    @Override
    public void close() {
        client.close();
    }
}
