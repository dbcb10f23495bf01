package io.atoll.zk;

import io.atoll.json.JsonCodec;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An always-current in-memory copy of the JSON values at one depth below a ZooKeeper path,
 * keyed by their path relative to it ({@code "app/instanceId"} for depth 2).
 *
 * <p>Built on Curator's {@link CuratorCache}, which re-syncs by itself after a lost session, so
 * the map converges back to ZooKeeper without help. While ZooKeeper is unreachable the map keeps
 * its last content. A value that cannot be decoded is logged and left out; the others stay.
 */
public final class ZkTreeMirror<T> implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(ZkTreeMirror.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final String basePath;
    private final int depth;
    private final Class<T> type;
    private final JsonCodec codec;
    private final CuratorCache cache;
    private final Map<String, T> values = new ConcurrentHashMap<>();
    private final Map<String, Long> created = new ConcurrentHashMap<>();
    private final List<Listener<T>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final AtomicLong version = new AtomicLong();
    private final CountDownLatch initialized = new CountDownLatch(1);

    /** Told about every real change; {@code value} is null for a removal. */
    @FunctionalInterface
    public interface Listener<T> {
        void changed(String key, T value);
    }

    public static <T> ZkTreeMirror<T> of(CuratorFramework client, String basePath, int depth, Class<T> type) {
        return new ZkTreeMirror<>(client, basePath, depth, type, JsonCodec.shared());
    }

    ZkTreeMirror(CuratorFramework client, String basePath, int depth, Class<T> type, JsonCodec codec) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1");
        }
        this.basePath = basePath;
        this.depth = depth;
        this.type = type;
        this.codec = codec;
        this.cache = CuratorCache.build(client, basePath);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((oldNode, node) -> put(node))
                .forDeletes(this::remove)
                .forInitialized(initialized::countDown)
                .build());
    }

    public ZkTreeMirror<T> addListener(Listener<T> listener) {
        listeners.add(listener);
        return this;
    }

    public void start() {
        if (state.compareAndSet(State.LATENT, State.STARTED)) {
            cache.start();
        }
    }

    /** False once started or closed: a mirror runs once. */
    public boolean isStartable() {
        return state.get() == State.LATENT;
    }

    /** Waits for the first complete read of the subtree; false when it did not come in time. */
    public boolean awaitInitialized(Duration timeout) throws InterruptedException {
        return initialized.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isInitialized() {
        return initialized.getCount() == 0;
    }

    /** An unmodifiable snapshot of the current values. */
    public Map<String, T> snapshot() {
        return Map.copyOf(values);
    }

    /**
     * The zxid of each value's creation: the order in which the nodes were first written, the
     * same for every reader, unchanged by later writes of the same node.
     */
    public Map<String, Long> creationOrder() {
        return Map.copyOf(created);
    }

    public T get(String key) {
        return values.get(key);
    }

    /** Grows by one on every applied change: cheap staleness check for derived tables. */
    public long version() {
        return version.get();
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.STARTED) {
            cache.close();
        }
    }

    private void put(ChildData node) {
        String key = keyOf(node.getPath());
        if (key == null || state.get() != State.STARTED) {
            return;
        }
        byte[] data = node.getData();
        if (data == null || data.length == 0) {
            return;
        }
        T value;
        try {
            value = codec.decode(data, type);
        } catch (JsonCodec.InvalidValueException e) {
            log.warn("Ignoring unreadable value at {}: {}", node.getPath(), e.getMessage());
            return;
        }
        if (node.getStat() != null) {
            created.put(key, node.getStat().getCzxid());
        }
        T previous = values.put(key, value);
        if (!value.equals(previous)) {
            version.incrementAndGet();
            fire(key, value);
        }
    }

    private void remove(ChildData node) {
        String key = keyOf(node.getPath());
        if (key != null) {
            created.remove(key);
        }
        if (key != null && values.remove(key) != null) {
            version.incrementAndGet();
            fire(key, null);
        }
    }

    private void fire(String key, T value) {
        for (Listener<T> listener : listeners) {
            try {
                listener.changed(key, value);
            } catch (RuntimeException e) {
                log.warn("Listener failed on {}/{}", basePath, key, e);
            }
        }
    }

    /** The key for a path exactly {@code depth} levels below the base, else null. */
    private String keyOf(String path) {
        if (!path.startsWith(basePath + "/")) {
            return null;
        }
        String relative = path.substring(basePath.length() + 1);
        int levels = 1;
        for (int i = 0; i < relative.length(); i++) {
            if (relative.charAt(i) == '/') {
                levels++;
            }
        }
        return levels == depth ? relative : null;
    }
}
