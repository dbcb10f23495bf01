package io.atoll.zk;

import io.atoll.json.JsonCodec;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;

/**
 * An ephemeral JSON value that outlives ZooKeeper session loss: Curator's {@link PersistentNode}
 * re-creates it whenever the session that owned it expires, so a node or instance does not
 * vanish for good just because the agent's connection blinked. Closing removes it.
 */
public final class ZkEphemeral<T> implements Closeable {

    private final CuratorFramework client;
    private final String path;
    private final JsonCodec codec = JsonCodec.shared();
    private PersistentNode node;
    private T value;
    private boolean closed;

    public ZkEphemeral(CuratorFramework client, String path, T initial) {
        this.client = client;
        this.path = path;
        this.value = initial;
    }

    public synchronized ZkEphemeral<T> start() {
        if (node == null && !closed) {
            node = newNode(value);
        }
        return this;
    }

    /**
     * Replaces the value: written now if the node exists, else carried by the node when it is
     * (re-)created, so a value set while ZooKeeper is away is not lost.
     */
    public synchronized void update(T newValue) throws Exception {
        if (closed || newValue.equals(value)) {
            return;
        }
        value = newValue;
        if (node == null) {
            return;
        }
        if (node.getActualPath() != null || node.waitForInitialCreate(1, TimeUnit.SECONDS)) {
            node.setData(codec.encode(newValue));
        } else {
            // Not created yet (ZooKeeper unreachable): start over with the new value.
            node.close();
            node = newNode(newValue);
        }
    }

    public synchronized T value() {
        return value;
    }

    public String path() {
        return path;
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        if (node != null) {
            node.close();
            node = null;
        }
    }

    private PersistentNode newNode(T initial) {
        PersistentNode created = new PersistentNode(client, CreateMode.EPHEMERAL, false, path, codec.encode(initial));
        created.start();
        return created;
    }
}
