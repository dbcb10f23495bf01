package io.atoll.gateway.warmup;

import io.atoll.gateway.config.AtollGatewayProperties;
import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.gateway.proxy.RequestMetrics;
import io.atoll.gateway.routing.RoutingTableWatcher;
import io.atoll.model.AppRoute;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.warmup.JitQuietness;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

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
 * are removed from the meter registry.
 */
public class GatewayWarmup implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GatewayWarmup.class);

    /** After the traffic port opens, and stopped before it closes. */
    static final int PHASE = ProxyServer.PHASE + 1;

    /** Looked at once a second: the JIT counts as quiet after two seconds in a row under this much compiling. */
    private static final long QUIET_COMPILE_MILLIS_PER_SECOND = 10;
    private static final Duration MIN_LOAD = Duration.ofSeconds(3);

    enum State { PENDING, RUNNING, DONE }

    private final WarmupProperties properties;
    private final AtollGatewayProperties gateway;
    private final RoutingTableWatcher tables;
    private final ProxyServer proxy;
    private final MeterRegistry meters;
    private volatile State state = State.PENDING;
    private volatile long requests;
    private volatile long failures;
    private volatile Duration took = Duration.ZERO;
    private volatile String endedBecause = "";
    private volatile boolean stopping;
    private Thread thread;

    public GatewayWarmup(WarmupProperties properties, AtollGatewayProperties gateway, RoutingTableWatcher tables,
            ProxyServer proxy, MeterRegistry meters) {
        this.properties = properties;
        this.gateway = gateway;
        this.tables = tables;
        this.proxy = proxy;
        this.meters = meters;
        TimeGauge.builder("atoll.gateway.warmup.duration", this, TimeUnit.NANOSECONDS, w -> w.took.toNanos())
                .description("How long the start-up warm-up held readiness back")
                .register(meters);
        Gauge.builder("atoll.gateway.warmup.requests", this, w -> w.requests)
                .description("Synthetic requests the start-up warm-up sent through the proxy")
                .register(meters);
    }

    /** True once the gateway may report ready: the warm-up is over, or disabled. */
    public boolean finished() {
        return state == State.DONE;
    }

    State state() {
        return state;
    }

    long requests() {
        return requests;
    }

    long failures() {
        return failures;
    }

    Duration took() {
        return took;
    }

    String endedBecause() {
        return endedBecause;
    }

    @Override
    public synchronized void start() {
        if (state != State.PENDING) {
            return;
        }
        if (!properties.enabled() || properties.maxDuration().isZero() || properties.maxRequests() == 0) {
            endedBecause = "disabled";
            state = State.DONE;
            return;
        }
        state = State.RUNNING;
        thread = new Thread(this::run, "atoll-gateway-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long started = System.nanoTime();
        try {
            warmUp(started);
        } catch (RuntimeException e) {
            endedBecause = "failed: " + e;
            log.warn("Gateway warm-up failed after {} requests; reporting ready anyway", requests, e);
        } finally {
            took = Duration.ofNanos(System.nanoTime() - started);
            state = State.DONE;
        }
        log.info("Gateway warm-up: {} requests ({} failed) in {} ms, ended by {}", requests, failures,
                took.toMillis(), endedBecause);
    }

    private void warmUp(long started) {
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
                    endedBecause = "the routing table never showed the warm-up app";
                    return;
                }
                try (WarmupLoad load = new WarmupLoad(loops, epoll ? EpollSocketChannel.class : NioSocketChannel.class,
                        trafficAddress(), host)) {
                    load.start(properties.connections());
                    endedBecause = drive(load, started);
                    requests = load.succeeded() + load.failed();
                    failures = load.failed();
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

    /** Sends load until the JIT is quiet, the request budget is spent, the time is up or the gateway stops. */
    private String drive(WarmupLoad load, long started) {
        JitQuietness jit = new JitQuietness(QUIET_COMPILE_MILLIS_PER_SECOND, 2);
        long deadline = started + properties.maxDuration().toNanos();
        while (true) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "stop";
            }
            long sent = load.succeeded() + load.failed();
            requests = sent;
            if (stopping) {
                return "stop";
            }
            if (sent >= properties.maxRequests()) {
                return "max-requests";
            }
            if (System.nanoTime() - deadline >= 0) {
                return "max-duration";
            }
            if (load.failed() > 1000 && load.failed() > load.succeeded()) {
                return "failing requests";
            }
            if (jit.sample() && System.nanoTime() - started >= MIN_LOAD.toNanos()) {
                return "a quiet JIT";
            }
        }
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
    public void stop() {
        Thread running;
        synchronized (this) {
            stopping = true;
            running = thread;
        }
        if (running != null) {
            try {
                running.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return state == State.RUNNING;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
