import io.atoll.json.JsonCodec;
import io.atoll.model.AppRoute;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.RouteFilter;
import io.atoll.model.RouteRule;
import io.atoll.zk.ZkPaths;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * For {@code bench/gateway/run filters}, on the gateway jar's own classes like ZkFixture:
 * {@code CONNECT APP HOST BACKEND FILTER...} writes one app whose rule lists the filters (SCG
 * shortcut syntax) and one HEALTHY instance at BACKEND.
 */
public class FilteredApp {

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        String app = args[1];
        ZkPaths paths = new ZkPaths("/atoll");
        JsonCodec json = JsonCodec.shared();
        List<RouteFilter> filters = List.of(args).subList(4, args.length).stream().map(RouteFilter::parse).toList();
        try (CuratorFramework zk = CuratorFrameworkFactory.newClient(args[0], new ExponentialBackoffRetry(200, 5))) {
            zk.start();
            zk.blockUntilConnected();
            AppRoute route = new AppRoute(app, List.of(RouteRule.forHosts(List.of(args[2])).withFilters(filters)),
                    Map.of(), 1);
            InstanceStatus instance = new InstanceStatus(app + "-1", app, "bench", null, "r1", args[3],
                    InstanceState.HEALTHY, Instant.now(), "bench");
            zk.create().orSetData().creatingParentsIfNeeded().forPath(paths.routes() + "/" + app, json.encode(route));
            zk.create().orSetData().creatingParentsIfNeeded()
                    .forPath(paths.instancesOf(app) + "/" + instance.instanceId(), json.encode(instance));
            System.out.println("wrote " + app + " with " + filters);
        }
    }
}
