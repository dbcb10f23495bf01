package io.atoll.agent.logs;

import io.atoll.logs.LogSink;

import io.atoll.model.LogLine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's stream of this node's lines: first the kept lines of the instances whose container
 * is gone, then the log of every matching container. Followed, it also picks up containers that
 * start later (a new instance of the app) and containers that start again (a restart after a crash,
 * from the line after the last one sent), whenever {@link #rescan()} is called. Lines arrive on
 * Docker's reading threads and are written in the order they arrive, each container's in its own
 * order; a slow client slows Docker's reading rather than filling memory.
 */
final class LogSession {

    private static final Logger log = LoggerFactory.getLogger(LogSession.class);

    private final LogQuery query;
    private final LogSink sink;
    private final ContainerLogs containers;
    private final KeptLogs kept;
    private final Runnable onClose;
    /** Asks for a rescan shortly: a stream that ended may belong to a container about to start again. */
    private final Runnable rescanSoon;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Guarded by this. */
    private final Map<String, Followed> followed = new HashMap<>();
    private boolean scanned;

    /** One container's stream, and the time of its last line sent. */
    private static final class Followed {
        ContainerLogs.Opened stream;
        boolean open;
        Instant lastTime;
    }

    LogSession(LogQuery query, LogSink sink, ContainerLogs containers, KeptLogs kept, Runnable onClose,
            Runnable rescanSoon) {
        this.query = query;
        this.sink = sink;
        this.containers = containers;
        this.kept = kept;
        this.onClose = onClose;
        this.rescanSoon = rescanSoon;
    }

    /** Whether this node has anything for the query's instance: a container or kept lines. */
    static boolean hasInstance(LogQuery query, ContainerLogs containers, KeptLogs kept) {
        return !containers.list(query.app(), query.instance()).isEmpty()
                || kept.get(query.instance()).filter(k -> query.matches(k.app(), k.instance())).isPresent();
    }

    void start() {
        List<KeptLogs.Kept> gone = query.instance() != null
                ? kept.get(query.instance()).filter(k -> query.matches(k.app(), k.instance())).stream().toList()
                : kept.ofApp(query.app());
        for (KeptLogs.Kept entry : gone) {
            List<LogLine> lines = entry.lines().stream()
                    .filter(line -> query.since() == null || !line.time().isBefore(query.since()))
                    .toList();
            if (query.tail() != null && lines.size() > query.tail()) {
                lines = lines.subList(lines.size() - query.tail(), lines.size());
            }
            if (lines.isEmpty()) {
                continue;
            }
            List<LogLine> out = new ArrayList<>(lines.size() + 1);
            out.add(LogLine.notice(entry.app(), entry.instance(), entry.node(), "container "
                    + shortId(entry.containerId()) + " of instance " + entry.instance() + " was removed at "
                    + entry.removedAt() + "; its last " + lines.size() + " lines, kept by the agent:"));
            out.addAll(lines);
            if (!send(out)) {
                return;
            }
        }
        rescan();
        completeIfDone();
    }

    /** Opens the log of every matching container not open yet: all of them the first time, then those running. */
    synchronized void rescan() {
        if (closed.get() || (scanned && !query.follow())) {
            return;
        }
        List<ContainerLogs.Target> targets;
        try {
            targets = containers.list(query.app(), query.instance());
        } catch (RuntimeException e) {
            log.debug("Could not list containers for a log stream: {}", e.toString());
            return;
        }
        boolean first = !scanned;
        scanned = true;
        for (ContainerLogs.Target target : targets) {
            Followed f = followed.get(target.containerId());
            if (f != null && (f.open || !target.running())) {
                continue;
            }
            if (f == null && !first && !target.running()) {
                continue; // created but not started yet: its start wakes a rescan
            }
            boolean again = f != null;
            if (f == null) {
                f = new Followed();
                followed.put(target.containerId(), f);
            }
            // A new container from its start; a restarted one from the line after the last sent.
            Integer tail = first ? query.tail() : null;
            Instant since = again && f.lastTime != null ? later(query.since(), f.lastTime.plusNanos(1)) : query.since();
            Followed state = f;
            f.open = true;
            f.stream = containers.open(target, tail, since, query.follow(), lines -> {
                synchronized (state) {
                    state.lastTime = lines.get(lines.size() - 1).time();
                }
                if (!send(lines)) {
                    close();
                }
            }, error -> ended(state));
        }
    }

    private synchronized void ended(Followed state) {
        state.open = false;
        if (query.follow() && !closed.get()) {
            // Docker's start event of a restart can come before this stream has ended, and then
            // its rescan skipped the container: look again shortly rather than at the periodic rescan.
            rescanSoon.run();
        }
        completeIfDone();
    }

    private synchronized void completeIfDone() {
        if (!query.follow() && scanned && followed.values().stream().noneMatch(f -> f.open) && !closed.get()) {
            close();
        }
    }

    /** Sends lines in order; false once the client is gone. */
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

    /** Ends every Docker stream of this session; safe to call more than once, from any thread. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<ContainerLogs.Opened> streams = new ArrayList<>();
        synchronized (this) {
            for (Followed f : followed.values()) {
                if (f.stream != null) {
                    streams.add(f.stream);
                }
            }
        }
        streams.forEach(ContainerLogs.Opened::close);
        try {
            sink.complete();
        } catch (RuntimeException e) {
            // already completed, or the client is gone
        }
        onClose.run();
    }

    boolean isClosed() {
        return closed.get();
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    private static String shortId(String containerId) {
        return containerId == null || containerId.length() < 12 ? containerId : containerId.substring(0, 12);
    }
}
