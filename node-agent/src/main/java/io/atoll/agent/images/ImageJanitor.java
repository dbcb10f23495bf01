package io.atoll.agent.images;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.atoll.agent.config.AgentProperties;
import io.atoll.json.JsonCodec;
import io.atoll.model.Assignment;
import io.atoll.zk.ZkPaths;
import io.atoll.zk.ZkTreeMirror;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Removes the images of this node's apps that no assignment uses any more, once their grace is
 * over, keeping per app the most recently used ones besides those in use (the previous release,
 * so that a rollback starts without a pull). A level-based pass every {@code interval}.
 *
 * <p>Only images an assignment named by digest ({@code repo@sha256:…}, what platform-api always
 * pins) are ever removed: an operator's own images and tags are not the agent's to touch. An
 * image a container still uses, whoever made the container, stays (removal is never forced).
 * Which app used which image when is kept in a file, so a restarted agent still knows an app's
 * previous release.
 */
@Component
public class ImageJanitor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ImageJanitor.class);

    /** An image an app of this node used: when it was first seen in an assignment, and last. */
    record Use(String app, String image, Instant firstUsed, Instant lastUsed) {
    }

    /** When an image was first and last seen in one of the app's assignments. */
    private record Seen(Instant first, Instant last) {
    }

    record State(List<Use> images) {
    }

    private final DockerClient docker;
    private final AgentProperties agent;
    private final ImageProperties properties;
    private final CuratorFramework client;
    private final ZkPaths paths;
    private final Counter removed;
    private final JsonCodec codec = JsonCodec.shared();
    /** app → image → first and last use, as recorded. */
    private final Map<String, Map<String, Seen>> uses = new LinkedHashMap<>();
    private ZkTreeMirror<Assignment> assignments;
    private ScheduledExecutorService loop;
    private volatile boolean running;

    public ImageJanitor(DockerClient docker, AgentProperties agent, ImageProperties properties,
            CuratorFramework client, ZkPaths paths, MeterRegistry meters) {
        this.docker = docker;
        this.agent = agent;
        this.properties = properties;
        this.client = client;
        this.paths = paths;
        this.removed = meters.counter("atoll.agent.images.removed");
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        if (!properties.cleanUp()) {
            return;
        }
        load();
        assignments = ZkTreeMirror.of(client, paths.assignmentsOf(agent.nodeId()), 1, Assignment.class);
        // Seen as they come, not at the next pass: a pass a second apart cannot tell which of two
        // releases a quick deploy brought first, and the later one is the one a rollback needs.
        assignments.addListener((key, assignment) -> {
            if (assignment != null) {
                seen(assignment, Instant.now());
            }
        });
        assignments.start();
        loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "atoll-images");
            thread.setDaemon(true);
            return thread;
        });
        long interval = properties.interval().toMillis();
        loop.scheduleWithFixedDelay(this::pass, interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        if (loop != null) {
            loop.shutdownNow();
            assignments.close();
            loop = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    synchronized void pass() {
        if (assignments == null || !assignments.isInitialized()) {
            return; // not knowing what is in use, nothing is removed
        }
        try {
            Instant now = Instant.now();
            Map<String, Set<String>> current = new LinkedHashMap<>();
            for (Assignment assignment : assignments.snapshot().values()) {
                if (pinned(assignment.image())) {
                    current.computeIfAbsent(assignment.app(), app -> new HashSet<>()).add(assignment.image());
                    seen(assignment, now);
                }
            }
            Set<String> usedByContainers = new HashSet<>();
            for (Container container : docker.listContainersCmd().withShowAll(true).exec()) {
                usedByContainers.add(container.getImageId());
            }
            boolean changed = false;
            for (var app : List.copyOf(uses.keySet())) {
                Map<String, Seen> images = uses.get(app);
                Set<String> inUse = current.getOrDefault(app, Set.of());
                // An app still here keeps the images it took up last before those in use (its
                // previous release: while a rolling deploy drains it, the one before that is in use
                // as long, so what counts is which came last); an app that left keeps none.
                Set<String> keep = new HashSet<>(inUse);
                if (!inUse.isEmpty()) {
                    images.entrySet().stream().filter(e -> !inUse.contains(e.getKey()))
                            .sorted(Comparator.comparing((Map.Entry<String, Seen> e) -> e.getValue().first()).reversed())
                            .limit(properties.keepPrevious()).forEach(e -> keep.add(e.getKey()));
                }
                for (var use : List.copyOf(images.entrySet())) {
                    if (keep.contains(use.getKey()) || use.getValue().last().plus(properties.grace()).isAfter(now)) {
                        continue;
                    }
                    if (remove(app, use.getKey(), use.getValue().last(), usedByContainers)) {
                        images.remove(use.getKey());
                        changed = true;
                    }
                }
                if (images.isEmpty()) {
                    uses.remove(app);
                }
            }
            save(changed, current);
        } catch (RuntimeException e) {
            log.warn("Image clean-up pass failed; next in {}: {}", properties.interval(), e.toString());
        }
    }

    private synchronized void seen(Assignment assignment, Instant now) {
        if (pinned(assignment.image())) {
            uses.computeIfAbsent(assignment.app(), app -> new LinkedHashMap<>())
                    .merge(assignment.image(), new Seen(now, now), (was, is) -> new Seen(was.first(), now));
        }
    }

    /** @return true when the image is gone (removed now, or already) */
    private boolean remove(String app, String image, Instant lastUsed, Set<String> usedByContainers) {
        String id;
        try {
            id = docker.inspectImageCmd(image).exec().getId();
        } catch (NotFoundException e) {
            return true;
        }
        if (usedByContainers.contains(id)) {
            return false;
        }
        try {
            docker.removeImageCmd(image).withForce(false).exec();
            removed.increment();
            log.info("Removed image {} of app {}, last used {}", image, app, lastUsed);
            return true;
        } catch (NotFoundException e) {
            return true;
        } catch (ConflictException e) {
            return false; // a container made meanwhile uses it
        }
    }

    private static boolean pinned(String image) {
        return image != null && image.contains("@sha256:");
    }

    private Path file() {
        return properties.dir().resolve(agent.nodeId() + ".json");
    }

    private void load() {
        Path file = file();
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            State state = codec.decode(Files.readAllBytes(file), State.class);
            for (Use use : state.images() == null ? List.<Use>of() : state.images()) {
                Instant first = use.firstUsed() == null ? use.lastUsed() : use.firstUsed();
                uses.computeIfAbsent(use.app(), app -> new LinkedHashMap<>()).put(use.image(),
                        new Seen(first, use.lastUsed()));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Could not read {} ({}): images used before this start are not cleaned up", file, e.toString());
        }
    }

    private Map<String, Set<String>> savedInUse = Map.of();
    private boolean loaded;

    /**
     * Written when an image was removed, or what is in use changed: the file then has each
     * image's last use to within a pass of when it ended (last-use times of images in use move
     * every pass, and are not worth a write each).
     */
    private void save(boolean removedSome, Map<String, Set<String>> inUse) {
        if (!removedSome && inUse.equals(savedInUse) && loaded) {
            return;
        }
        Map<String, Map<String, Seen>> snapshot = new LinkedHashMap<>();
        uses.forEach((app, images) -> snapshot.put(app, Map.copyOf(images)));
        List<Use> list = new ArrayList<>();
        snapshot.forEach((app, images) -> images.forEach((image, seen) ->
                list.add(new Use(app, image, seen.first(), seen.last()))));
        try {
            Files.createDirectories(properties.dir());
            Path temp = Files.createTempFile(properties.dir(), agent.nodeId(), ".tmp");
            Files.write(temp, codec.encode(new State(list)));
            Files.move(temp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            savedInUse = Map.copyOf(inUse);
            loaded = true;
        } catch (IOException e) {
            log.warn("Could not write {}: {}", file(), e.toString());
        }
    }
}
