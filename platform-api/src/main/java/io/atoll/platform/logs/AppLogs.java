package io.atoll.platform.logs;

import io.atoll.logs.LogSink;

import io.atoll.model.InstanceStatus;
import io.atoll.model.LogLine;
import io.atoll.model.NodeInfo;
import io.atoll.platform.apps.AppService;
import io.atoll.platform.instances.ClusterState;
import io.atoll.platform.instances.DesiredInstance;
import io.atoll.platform.instances.DesiredInstanceRepository;
import io.atoll.platform.web.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Opens the merged log streams of apps: which nodes to ask, an unknown instance, the notices for
 * instances whose node is gone; and keeps the open ones alive (heartbeats) and told of nodes that
 * register while they are followed.
 */
@Service
class AppLogs implements SmartLifecycle {

    private final AppService apps;
    private final DesiredInstanceRepository desired;
    private final ClusterState cluster;
    private final AgentLogClient client;
    private final LogProperties properties;
    private final Semaphore slots;
    private final Set<AppLogStream> open = ConcurrentHashMap.newKeySet();
    private volatile ScheduledExecutorService timer;

    AppLogs(AppService apps, DesiredInstanceRepository desired, ClusterState cluster, AgentLogClient client,
            LogProperties properties, MeterRegistry meters) {
        this.apps = apps;
        this.desired = desired;
        this.cluster = cluster;
        this.client = client;
        this.properties = properties;
        this.slots = new Semaphore(properties.maxStreams());
        cluster.onNodeChange((nodeId, node) -> open.forEach(stream -> stream.nodeChanged(nodeId, node)));
        meters.gauge("atoll.platform.logs.streams", slots, s -> properties.maxStreams() - s.availablePermits());
    }

    /**
     * Asks every registered node for the query's lines and gives back the stream, its first notices
     * sent: 404 for an unknown app, or an instance that neither platform-api nor any agent knows.
     */
    LogSink open(LogQuery query, LogSink sink) {
        apps.require(query.app());
        List<DesiredInstance> wanted = desired.findByApp(query.app());
        Map<String, InstanceStatus> reported = cluster.instancesOf(query.app());
        boolean known = query.instance() == null || reported.containsKey(query.instance())
                || wanted.stream().anyMatch(i -> i.instanceId().equals(query.instance()));
        if (!slots.tryAcquire()) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Busy", "too many log streams are open; retry shortly");
        }
        AtomicBoolean released = new AtomicBoolean();
        AppLogStream[] stream = new AppLogStream[1];
        stream[0] = new AppLogStream(query, sink, client, timer, cluster::node, () -> {
            if (released.compareAndSet(false, true)) {
                open.remove(stream[0]);
                slots.release();
            }
        });
        List<NodeInfo> live = new ArrayList<>(cluster.liveNodes());
        List<LogLine> notices = new ArrayList<>();
        Map<String, AppLogStream.Outcome> outcomes;
        try {
            outcomes = stream[0].open(live, properties.agentTimeout().plusMillis(500), notices);
        } catch (RuntimeException e) {
            stream[0].close();
            throw e;
        }
        if (!known && !outcomes.containsValue(AppLogStream.Outcome.LINES)) {
            stream[0].close();
            throw ApiException.notFound("Instance", query.instance());
        }
        notices.addAll(0, missingNodes(query, wanted, reported, live));
        if (query.follow()) {
            open.add(stream[0]);
        }
        sink.onEnd(stream[0]::close);
        stream[0].start(notices);
        return sink;
    }

    /** Instances the scheduler placed, or agents reported, on nodes that are not registered now. */
    private static List<LogLine> missingNodes(LogQuery query, List<DesiredInstance> wanted,
            Map<String, InstanceStatus> reported, List<NodeInfo> live) {
        Set<String> liveIds = new TreeSet<>();
        live.forEach(node -> liveIds.add(node.nodeId()));
        Map<String, Set<String>> byNode = new TreeMap<>();
        for (DesiredInstance instance : wanted) {
            if (instance.nodeId() != null && !liveIds.contains(instance.nodeId())
                    && (query.instance() == null || query.instance().equals(instance.instanceId()))) {
                byNode.computeIfAbsent(instance.nodeId(), key -> new TreeSet<>()).add(instance.instanceId());
            }
        }
        reported.forEach((id, status) -> {
            if (status.nodeId() != null && !liveIds.contains(status.nodeId())
                    && (query.instance() == null || query.instance().equals(id))) {
                byNode.computeIfAbsent(status.nodeId(), key -> new TreeSet<>()).add(id);
            }
        });
        List<LogLine> notices = new ArrayList<>();
        byNode.forEach((nodeId, instances) -> notices.add(LogLine.notice(query.app(), null, nodeId, "node " + nodeId
                + " is not registered: the lines of " + String.join(", ", instances) + " are missing")));
        return notices;
    }

    @Override
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "atoll-log-streams");
            thread.setDaemon(true);
            return thread;
        });
        long heartbeat = properties.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(() -> open.forEach(AppLogStream::heartbeat), heartbeat, heartbeat,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
        open.forEach(AppLogStream::close);
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }
}
