package io.atoll.agent.logs;

import io.atoll.agent.config.AgentProperties;
import io.atoll.json.JsonCodec;
import io.atoll.model.LogLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last lines of every container the agent removes, kept by instance after the container is
 * gone (Dokku's logs of earlier deploys are "usually not available"; coolify#812 asks for those of
 * crashed containers). Bounded three ways: lines and bytes per instance, and instances (the one
 * gone longest is forgotten first). Written to disk as one JSON file per instance, so that an
 * agent restart keeps them; a file that cannot be written or read costs only that instance's lines.
 *
 * <p>The capture starts before the container is stopped and follows its log until Docker ends the
 * stream at the container's exit or removal, so the lines an app prints while it shuts down on
 * SIGTERM are kept too.
 */
public class KeptLogs {

    private static final Logger log = LoggerFactory.getLogger(KeptLogs.class);
    /** Instance ids are made by platform-api; anything else is kept in memory only. */
    private static final Pattern FILE_SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /** How long a removal waits for the capture to be attached before it goes on anyway. */
    private static final Duration ATTACH_WAIT = Duration.ofSeconds(1);

    /**
     * One instance's kept lines, oldest first.
     *
     * @param containerId the last container whose lines are here
     * @param removedAt when that container was removed
     */
    public record Kept(String app, String instance, String node, String containerId, Instant removedAt,
            List<LogLine> lines) {
    }

    private final ContainerLogs containers;
    private final LogProperties properties;
    private final String nodeId;
    private final Path dir;
    private final JsonCodec codec = JsonCodec.shared();
    /** In the order they were kept: the first is forgotten first. Guarded by itself. */
    private final LinkedHashMap<String, Kept> kept = new LinkedHashMap<>();
    private final ExecutorService attacher = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "atoll-keep-logs");
        thread.setDaemon(true);
        return thread;
    });

    KeptLogs(ContainerLogs containers, LogProperties properties, AgentProperties agent) {
        this.containers = containers;
        this.properties = properties;
        this.nodeId = agent.nodeId();
        this.dir = properties.dir() == null ? null : properties.dir().resolve(agent.nodeId());
        load();
    }

    /**
     * Starts keeping the container's last lines, and returns once the capture is attached (at most a
     * second): call it just before stopping and removing the container. Never throws: a removal
     * does not wait on its logs.
     */
    public void keep(String containerId) {
        if (containerId == null || properties.keptInstances() == 0 || properties.keptLines() == 0) {
            return;
        }
        // On a thread of its own: an engine that hangs must not hold the removal longer than the wait.
        Future<?> attaching;
        try {
            attaching = attacher.submit(() -> {
                attach(containerId);
                return null;
            });
        } catch (RejectedExecutionException e) {
            return; // stopping
        }
        try {
            attaching.get(ATTACH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            log.warn("The log of container {} was not attached within {}: its last lines may not be kept", containerId,
                    ATTACH_WAIT);
        } catch (ExecutionException e) {
            log.warn("Could not keep the last lines of container {}: {}", containerId, e.getCause().toString());
        }
    }

    private void attach(String containerId) throws InterruptedException {
        ContainerLogs.Target target = containers.inspect(containerId).orElse(null);
        if (target == null) {
            return;
        }
        Deque<LogLine> lines = new ArrayDeque<>();
        ContainerLogs.Opened stream = containers.open(target, properties.keptLines(), null, true, chunk -> {
            synchronized (lines) {
                for (LogLine line : chunk) {
                    lines.addLast(line);
                    if (lines.size() > properties.keptLines()) {
                        lines.removeFirst();
                    }
                }
            }
        }, error -> {
            List<LogLine> copy;
            synchronized (lines) {
                copy = new ArrayList<>(lines);
            }
            store(new Kept(target.app(), target.instance(), nodeId, target.containerId(), Instant.now(), copy));
        });
        stream.awaitStarted(ATTACH_WAIT);
    }

    /** Stops attaching; captures already attached end with their containers. */
    void close() {
        attacher.shutdownNow();
    }

    public Optional<Kept> get(String instance) {
        synchronized (kept) {
            return Optional.ofNullable(kept.get(instance));
        }
    }

    /** The app's kept instances, the longest gone first. */
    public List<Kept> ofApp(String app) {
        synchronized (kept) {
            return kept.values().stream().filter(k -> k.app().equals(app)).toList();
        }
    }

    private void store(Kept fresh) {
        Kept merged;
        synchronized (kept) {
            Kept earlier = kept.remove(fresh.instance());
            List<LogLine> lines = new ArrayList<>();
            if (earlier != null && !earlier.containerId().equals(fresh.containerId())) {
                lines.addAll(earlier.lines());
            }
            lines.addAll(fresh.lines());
            merged = new Kept(fresh.app(), fresh.instance(), fresh.node(), fresh.containerId(), fresh.removedAt(),
                    bounded(lines));
            kept.put(merged.instance(), merged);
            while (kept.size() > properties.keptInstances()) {
                String oldest = kept.keySet().iterator().next();
                kept.remove(oldest);
                delete(oldest);
            }
        }
        write(merged);
    }

    /** The newest lines within {@code keptLines} and {@code keptBytes}. */
    private List<LogLine> bounded(List<LogLine> lines) {
        int bytes = 0;
        int from = lines.size();
        while (from > 0 && lines.size() - from < properties.keptLines()) {
            int size = lines.get(from - 1).line().getBytes(StandardCharsets.UTF_8).length + 1;
            if (bytes + size > properties.keptBytes()) {
                break;
            }
            bytes += size;
            from--;
        }
        return List.copyOf(lines.subList(from, lines.size()));
    }

    private void write(Kept entry) {
        if (dir == null || !FILE_SAFE.matcher(entry.instance()).matches()) {
            return;
        }
        try {
            Files.createDirectories(dir);
            Path temporary = Files.createTempFile(dir, entry.instance(), ".tmp");
            Files.write(temporary, codec.encode(entry));
            Files.move(temporary, dir.resolve(entry.instance() + ".json"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not write the kept lines of instance {} under {}: {}", entry.instance(), dir, e.toString());
        }
    }

    private void delete(String instance) {
        if (dir != null && FILE_SAFE.matcher(instance).matches()) {
            try {
                Files.deleteIfExists(dir.resolve(instance + ".json"));
            } catch (IOException e) {
                log.warn("Could not delete the kept lines of instance {}: {}", instance, e.toString());
            }
        }
    }

    private void load() {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        List<Kept> found = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.deleteIfExists(file); // a write cut short by a crash
                    continue;
                }
                if (!name.endsWith(".json")) {
                    continue;
                }
                try {
                    Kept entry = codec.decode(Files.readAllBytes(file), Kept.class);
                    if (entry.instance() != null && entry.app() != null && entry.lines() != null
                            && name.equals(entry.instance() + ".json")) {
                        found.add(entry);
                    }
                } catch (IOException | RuntimeException e) {
                    log.warn("Skipping unreadable kept log {}: {}", file, e.toString());
                }
            }
        } catch (IOException e) {
            log.warn("Could not read kept logs under {}: {}", dir, e.toString());
            return;
        }
        found.sort(Comparator.comparing(Kept::removedAt, Comparator.nullsFirst(Comparator.naturalOrder())));
        synchronized (kept) {
            for (Kept entry : found) {
                kept.put(entry.instance(), new Kept(entry.app(), entry.instance(), entry.node(), entry.containerId(),
                        entry.removedAt(), bounded(entry.lines())));
            }
            while (kept.size() > properties.keptInstances()) {
                String oldest = kept.keySet().iterator().next();
                kept.remove(oldest);
                delete(oldest);
            }
        }
        log.info("Read the kept lines of {} removed instances from {}", found.size(), dir);
    }

    Map<String, Kept> snapshot() {
        synchronized (kept) {
            return Map.copyOf(kept);
        }
    }
}
