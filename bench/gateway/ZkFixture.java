import io.atoll.json.JsonCodec;
import io.atoll.model.AppRoute;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.RouteRule;
import io.atoll.zk.ZkPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * The benchmark's ZooKeeper side, run as a single-file program on the jars inside the gateway's
 * own boot jar (so it writes exactly the JSON the gateway reads, through shared-model):
 *
 * <pre>
 *   serve PORT DATADIR                         a standalone ZooKeeper until killed
 *   write CONNECT FIRST COUNT BACKEND_ADDRESS  apps app-FIRST..app-(FIRST+COUNT-1), each with
 *                                              one route (host app-N.localhost) and one HEALTHY
 *                                              instance at BACKEND_ADDRESS
 * </pre>
 */
public class ZkFixture {

    public static void main(String[] args) throws Exception {
        quietLogging();
        switch (args[0]) {
            case "serve" -> serve(Integer.parseInt(args[1]), Path.of(args[2]));
            case "write" -> write(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4]);
            default -> throw new IllegalArgumentException("serve|write, not " + args[0]);
        }
    }

    private static void serve(int port, Path dir) throws Exception {
        Files.createDirectories(dir);
        Properties config = new Properties();
        config.put("clientPort", Integer.toString(port));
        config.put("clientPortAddress", "127.0.0.1");
        config.put("tickTime", "2000");
        config.put("admin.enableServer", "false");
        // 10,000 apps are written as multi-ops; the gateway's first read of them is one big getChildren.
        System.setProperty("jute.maxbuffer", Integer.toString(16 * 1024 * 1024));
        ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
                .baseDir(dir)
                .configuration(config)
                .exitHandler(ExitHandler.LOG_ONLY)
                .build();
        server.start();
        System.out.println("zookeeper listening on 127.0.0.1:" + port);
        Thread.currentThread().join();
    }

    private static void write(String connect, int first, int count, String backend) throws Exception {
        ZkPaths paths = new ZkPaths("/atoll");
        JsonCodec json = JsonCodec.shared();
        try (CuratorFramework zk = CuratorFrameworkFactory.newClient(connect, new ExponentialBackoffRetry(200, 5))) {
            zk.start();
            if (!zk.blockUntilConnected(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("no ZooKeeper at " + connect + " within 30 s");
            }
            for (String parent : List.of(paths.routes(), paths.instances())) {
                if (zk.checkExists().forPath(parent) == null) {
                    zk.create().creatingParentsIfNeeded().forPath(parent);
                }
            }
            List<CuratorOp> batch = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = first; i < first + count; i++) {
                String app = "app-" + i;
                AppRoute route = new AppRoute(app, List.of(RouteRule.forHosts(List.of(app + ".localhost"))), Map.of(), 1);
                InstanceStatus instance = new InstanceStatus(app + "-1", app, "bench", null, "r1", backend,
                        InstanceState.HEALTHY, Instant.now(), "bench");
                batch.add(zk.transactionOp().create().forPath(paths.routes() + "/" + app, json.encode(route)));
                batch.add(zk.transactionOp().create().forPath(paths.instancesOf(app)));
                batch.add(zk.transactionOp().create()
                        .forPath(paths.instancesOf(app) + "/" + instance.instanceId(), json.encode(instance)));
                if (batch.size() >= 600) {
                    zk.transaction().forOperations(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                zk.transaction().forOperations(batch);
            }
            System.out.printf("wrote %d apps to %s in %d ms%n", count, connect, (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static void quietLogging() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
    }
}
