package io.atoll.gateway.warmup;

import io.atoll.gateway.config.AtollGatewayProperties;
import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.gateway.proxy.RequestMetrics;
import io.atoll.gateway.routing.RoutingTableWatcher;
import io.atoll.model.AppRoute;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.warmup.StartupWarmup;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Warms the gateway's request path before it reports ready. A freshly started JVM interprets its
 * code until the JIT has compiled the hot methods, which takes tens of seconds of load: without
 * this, a gateway just restarted or scaled out serves its first traffic at a fraction of its
 * speed (docs/benchmarks.md, "Gateway cold start").
 *
 * <p>Once the traffic port is open, an in-process backend on loopback becomes an app of this
 * process alone ({@link RoutingTableWatcher#setPrivateApps}): its name and host carry 128
 * random bits made at each start and never logged, so no request from outside can name it,
 * and it is removed before readiness goes UP, after which its host gets the usual 404. Synthetic
 * clients then send requests through the real traffic port, so the same code, the same
 * objects and the same type profiles as real traffic get compiled. It ends when the JIT has gone
 * quiet, after {@code max-requests} or after {@code max-duration}, whichever comes first; the
 * backend, its connections and its threads are closed, and the synthetic app's request timers
 * are removed from the meter registry. The thread, readiness and stop are {@link StartupWarmup}'s.
 */
public class GatewayWarmup extends StartupWarmup {

    /** After the traffic port opens, and stopped before it closes. */
    static final int PHASE = ProxyServer.PHASE + 1;

    /** Looked at once a second: the JIT counts as quiet after two seconds in a row under this much compiling. */
    private static final long QUIET_COMPILE_MILLIS_PER_SECOND = 10;
    private static final Duration MIN_LOAD = Duration.ofSeconds(3);

    private final WarmupProperties properties;
    private final AtollGatewayProperties gateway;
    private final RoutingTableWatcher tables;
    private final ProxyServer proxy;
    private final MeterRegistry meters;
    private volatile long requests;
    private volatile long failures;

    public GatewayWarmup(WarmupProperties properties, AtollGatewayProperties gateway, RoutingTableWatcher tables,
            ProxyServer proxy, MeterRegistry meters) {
        super("atoll-gateway-warmup", Duration.ofSeconds(10));
        this.properties = properties;
        this.gateway = gateway;
        this.tables = tables;
        this.proxy = proxy;
        this.meters = meters;
        TimeGauge.builder("atoll.gateway.warmup.duration", this, TimeUnit.NANOSECONDS, w -> w.took().toNanos())
                .description("How long the start-up warm-up held readiness back")
                .register(meters);
        Gauge.builder("atoll.gateway.warmup.requests", this, w -> w.requests)
                .description("Synthetic requests the start-up warm-up sent through the proxy")
                .register(meters);
    }

    @Override
    public void start() {
        if (!properties.enabled() || properties.maxDuration().isZero() || properties.maxRequests() == 0) {
            skip("disabled");
            return;
        }
        launch();
    }

    @Override
    protected Map<String, Object> counts() {
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("requests", requests);
        counts.put("failed", failures);
        return counts;
    }

    @Override
    protected String summary() {
        return requests + " requests (" + failures + " failed)";
    }

    @Override
    protected String warmUp(long started) {
        String token = HexFormat.of().formatHex(random128());
        String app = "atoll-warmup-" + token;
        String host = app + "." + gateway.defaultDomain();
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("atoll-gateway-warmup-io", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try (WarmupBackend backend = new WarmupBackend(loops, epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)) {
            InstanceStatus instance = new InstanceStatus("warmup", app, "warmup", gateway.zone(), "warmup",
                    "127.0.0.1:" + backend.address().getPort(), InstanceState.HEALTHY, Instant.now(), null);
            tables.setPrivateApps(Map.of(app, new AppRoute(app, List.of(), Map.of(), 0)), Map.of(app + "/warmup", instance));
            try {
                if (!awaitTable(host, true, started)) {
                    return "the routing table never showed the warm-up app";
                }
                try (WarmupLoad load = new WarmupLoad(loops, epoll ? EpollSocketChannel.class : NioSocketChannel.class,
                        trafficAddress(), host)) {
                    load.start(properties.connections());
                    String endedBy = until(started, MIN_LOAD, properties.maxDuration(), QUIET_COMPILE_MILLIS_PER_SECOND,
                            () -> endsEarly(load));
                    requests = load.succeeded() + load.failed();
                    failures = load.failed();
                    return endedBy;
                }
            } finally {
                tables.setPrivateApps(Map.of(), Map.of());
                awaitTable(host, false, System.nanoTime());
                meters.find(RequestMetrics.METRIC).tag("app", app).meters().forEach(meters::remove);
            }
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static byte[] random128() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** Once a second: the request budget spent, or mostly failing requests; null to go on. */
    private String endsEarly(WarmupLoad load) {
        long sent = load.succeeded() + load.failed();
        requests = sent;
        if (sent >= properties.maxRequests()) {
            return "max-requests";
        }
        if (load.failed() > 1000 && load.failed() > load.succeeded()) {
            return "failing requests";
        }
        return null;
    }

    private InetSocketAddress trafficAddress() {
        InetAddress bound = new InetSocketAddress(gateway.address(), 0).getAddress();
        InetAddress target = bound == null || bound.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound;
        return new InetSocketAddress(target, proxy.port());
    }

    /** Until the current table does (or does not) know the host, 5 s at most. */
    private boolean awaitTable(String host, boolean known, long since) {
        long deadline = since + TimeUnit.SECONDS.toNanos(5);
        while (tables.current().knowsHost(host) != known) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
