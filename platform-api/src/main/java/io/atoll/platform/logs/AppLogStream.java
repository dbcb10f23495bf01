package io.atoll.platform.logs;

import io.atoll.logs.LogSink;

import io.atoll.json.JsonCodec;
import io.atoll.model.LogLine;
import io.atoll.model.NodeInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's stream of an app's lines, merged from every node's agent: each agent's lines in
 * their order, the agents' interleaved as they arrive. What cannot be read is said in the stream
 * (a line of stream {@code atoll}), never a failed request: a node whose agent cannot be reached, a
 * node with no log endpoint, instances on a node that is no longer registered. Followed, a stream
 * that ends (an agent restarted) is opened again from the line after the last one received, with
 * backoff, while the node is registered; a node that registers later is read too.
 */
final class AppLogStream {

    private static final Logger log = LoggerFactory.getLogger(AppLogStream.class);
    private static final JsonCodec codec = JsonCodec.shared();
    private static final java.util.Set<String> STREAMS = java.util.Set.of(LogLine.STDOUT, LogLine.STDERR, LogLine.ATOLL);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);

    private final LogQuery query;
    private final LogSink sink;
    private final AgentLogClient client;
    private final ScheduledExecutorService timer;
    private final Function<String, NodeInfo> liveNode;
    private final Runnable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Changed under this object's lock, read without (close must not wait for a sender). */
    private final Map<String, NodeStream> nodes = new ConcurrentHashMap<>();
    private volatile boolean started;
    /** The time of the last line received from each node, kept when its stream goes, to resume after it. */
    private final Map<String, Instant> lastTimes = new ConcurrentHashMap<>();

    AppLogStream(LogQuery query, LogSink sink, AgentLogClient client, ScheduledExecutorService timer,
            Function<String, NodeInfo> liveNode, Runnable onClose) {
        this.query = query;
        this.sink = sink;
        this.client = client;
        this.timer = timer;
        this.liveNode = liveNode;
        this.onClose = onClose;
    }

    /** What one agent said to the first request. */
    enum Outcome { LINES, NOT_THERE, REFUSED }

    /**
     * Asks every node's agent and waits (at most {@code wait}) for their answers, so the caller can
     * tell an unknown instance (no agent has it) before anything is sent.
     *
     * @return the notices to send first: nodes that could not be read
     */
    synchronized Map<String, Outcome> open(List<NodeInfo> live, Duration wait, List<LogLine> notices) {
        Map<String, CompletableFuture<Integer>> statuses = new HashMap<>();
        for (NodeInfo node : live) {
            if (node.agentUrl() == null) {
                notices.add(LogLine.notice(query.app(), null, node.nodeId(), "node " + node.nodeId()
                        + " has no log endpoint (its agent predates it): its instances' lines are missing"));
                continue;
            }
            NodeStream stream = new NodeStream(node.nodeId(), node.agentUrl());
            nodes.put(node.nodeId(), stream);
            statuses.put(node.nodeId(), stream.connect(null));
        }
        Map<String, Outcome> outcomes = new HashMap<>();
        long deadline = System.nanoTime() + wait.toNanos();
        for (var entry : statuses.entrySet()) {
            String nodeId = entry.getKey();
            Outcome outcome;
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                int status = entry.getValue().get(left, TimeUnit.NANOSECONDS);
                outcome = status == 200 ? Outcome.LINES : status == 404 && query.instance() != null ? Outcome.NOT_THERE
                        : Outcome.REFUSED;
                if (outcome == Outcome.REFUSED) {
                    notices.add(LogLine.notice(query.app(), null, nodeId, "the agent of node " + nodeId + " answered HTTP "
                            + status + (status == 401 || status == 403 ? " (check atoll.platform.agents.token)" : "")
                            + ": its instances' lines are missing"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcome = Outcome.REFUSED;
            } catch (ExecutionException | TimeoutException e) {
                outcome = Outcome.REFUSED;
                notices.add(unreachable(nodeId, e instanceof ExecutionException ? e.getCause() : e));
            }
            outcomes.put(nodeId, outcome);
            if (outcome != Outcome.LINES) {
                nodes.remove(nodeId).cancel();
            }
        }
        return outcomes;
    }

    /** Sends the notices, then lets the agents' lines flow. */
    void start(List<LogLine> notices) {
        if (!notices.isEmpty() && !send(notices)) {
            return;
        }
        started = true;
        List.copyOf(nodes.values()).forEach(NodeStream::demand);
        completeIfDone();
    }

    /** A node registered or changed (null: gone). Followed streams read a new node, and say when one goes. */
    synchronized void nodeChanged(String nodeId, NodeInfo node) {
        if (closed.get() || !query.follow() || !started) {
            return;
        }
        NodeStream stream = nodes.get(nodeId);
        if (node != null && node.agentUrl() != null && stream == null) {
            NodeStream fresh = new NodeStream(nodeId, node.agentUrl());
            nodes.put(nodeId, fresh);
            send(List.of(LogLine.notice(query.app(), null, nodeId, "node " + nodeId + " registered: reading its lines")));
            // A node that was read before goes on from its last line, not from the tail again.
            Instant last = lastTimes.get(nodeId);
            fresh.lastTime = last;
            fresh.connect(last == null ? null : last.plusNanos(1));
            fresh.demand();
        }
    }

    private LogLine unreachable(String nodeId, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String why = cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException
                ? "did not answer in time" : cause instanceof java.net.ConnectException ? "refused the connection"
                : "could not be read (" + cause.getClass().getSimpleName() + ")";
        log.info("Logs of app {}: the agent of node {} {}", query.app(), nodeId, why);
        return LogLine.notice(query.app(), null, nodeId, "the agent of node " + nodeId + " " + why
                + ": its instances' lines are missing");
    }

    /** A node's stream ended: done (not followed), or opened again after a while while the node is registered. */
    private synchronized void ended(NodeStream stream, Throwable error) {
        if (closed.get() || nodes.get(stream.nodeId) != stream) {
            return;
        }
        if (!query.follow()) {
            if (error != null) {
                send(List.of(unreachable(stream.nodeId, error)));
            }
            nodes.remove(stream.nodeId);
            completeIfDone();
            return;
        }
        NodeInfo node = liveNode.apply(stream.nodeId);
        if (node == null || node.agentUrl() == null) {
            nodes.remove(stream.nodeId);
            send(List.of(LogLine.notice(query.app(), null, stream.nodeId, "node " + stream.nodeId
                    + " is no longer registered: its instances' lines are missing until it is back")));
            return;
        }
        Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(5, stream.failures));
        delay = delay.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : delay;
        stream.failures++;
        send(List.of(LogLine.notice(query.app(), null, stream.nodeId, "the stream of node " + stream.nodeId
                + " ended" + (error == null ? "" : " (" + error.getClass().getSimpleName() + ")") + ": reading it again in "
                + delay.toMillis() + " ms; lines printed meanwhile follow then")));
        NodeStream again = new NodeStream(stream.nodeId, node.agentUrl());
        again.lastTime = stream.lastTime;
        again.failures = stream.failures;
        nodes.put(stream.nodeId, again);
        timer.schedule(() -> {
            if (!closed.get()) {
                again.connect(again.lastTime == null ? null : again.lastTime.plusNanos(1));
                again.demand();
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void completeIfDone() {
        if (!query.follow() && started && nodes.isEmpty()) {
            close();
        }
    }

    /** Sends in order; false once the client is gone. */
    private boolean send(List<LogLine> lines) {
        if (closed.get()) {
            return false;
        }
        if (sink.offer(lines)) {
            return true;
        }
        close();
        return false;
    }

    void heartbeat() {
        if (!closed.get() && !sink.keepAlive()) {
            close();
        }
    }

    /** Ends every agent stream of this client; safe to call more than once, from any thread. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<NodeStream> streams = List.copyOf(nodes.values());
        nodes.clear();
        streams.forEach(NodeStream::cancel);
        try {
            sink.complete();
        } catch (RuntimeException e) {
            // already completed, or the client is gone
        }
        onClose.run();
    }

    /** One agent's NDJSON, a line at a time as this client takes them. */
    private final class NodeStream implements Flow.Subscriber<String> {

        final String nodeId;
        final String url;
        volatile Instant lastTime;
        int failures;
        private Flow.Subscription subscription;
        private boolean demanded;
        private boolean cancelled;
        private AgentLogClient.Call call;

        NodeStream(String nodeId, String url) {
            this.nodeId = nodeId;
            this.url = url;
        }

        CompletableFuture<Integer> connect(Instant resumeAfter) {
            AgentLogClient.Call call = client.open(url, query.agentQuery(resumeAfter), this);
            synchronized (this) {
                this.call = call;
            }
            call.status().whenComplete((status, error) -> {
                // Failures before an answer never reach the subscriber; once started they end the stream here.
                if (started && (error != null || status != 200)) {
                    ended(this, error != null ? error : new IllegalStateException("HTTP " + status));
                }
            });
            return call.status();
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            boolean cancel;
            boolean request;
            synchronized (this) {
                this.subscription = subscription;
                cancel = cancelled;
                request = demanded;
            }
            if (cancel) {
                subscription.cancel();
            } else if (request) {
                subscription.request(1);
            }
        }

        /** Locks are not held while calling the subscription: it may deliver a line on this thread. */
        void demand() {
            Flow.Subscription current;
            synchronized (this) {
                demanded = true;
                current = cancelled ? null : subscription;
            }
            if (current != null) {
                current.request(1);
            }
        }

        void cancel() {
            Flow.Subscription current;
            AgentLogClient.Call pending;
            synchronized (this) {
                cancelled = true;
                current = subscription;
                pending = call;
            }
            if (current != null) {
                current.cancel();
            } else if (pending != null) {
                pending.done().cancel(true);
            }
        }

        @Override
        public void onNext(String json) {
            if (!json.isBlank()) { // a blank line is the agent's heartbeat
                LogLine line;
                try {
                    line = codec.decode(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), LogLine.class);
                } catch (RuntimeException e) {
                    line = null;
                    log.warn("Logs of app {}: the agent of node {} sent a line that is not a LogLine", query.app(), nodeId);
                }
                // Only this app's lines, and only the three streams: the stream names the SSE event, so
                // nothing else may reach the framing, whatever an agent sends.
                if (line != null && (!query.app().equals(line.app()) || !STREAMS.contains(line.stream())
                        || (query.instance() != null && line.instance() != null && !query.instance().equals(line.instance())))) {
                    log.warn("Logs of app {}: dropped a line of the agent of node {} that is not the app's", query.app(),
                            nodeId);
                    line = null;
                }
                if (line != null) {
                    // The newest app line received is where a resumed stream starts (the agent's own
                    // notices carry the time they were said, kept lines come with their old times).
                    if (line.time() != null && !line.isNotice() && (lastTime == null || line.time().isAfter(lastTime))) {
                        lastTime = line.time();
                        lastTimes.put(nodeId, lastTime);
                    }
                    failures = 0;
                    if (!send(List.of(line))) {
                        return;
                    }
                }
            }
            Flow.Subscription current;
            synchronized (this) {
                current = cancelled ? null : subscription;
            }
            if (current != null) {
                current.request(1);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            ended(this, throwable);
        }

        @Override
        public void onComplete() {
            ended(this, null);
        }
    }
}
