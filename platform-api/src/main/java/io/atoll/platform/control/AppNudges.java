package io.atoll.platform.control;

import io.atoll.zk.ZkPaths;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * "Look at this app again", from whichever replica took the API call to whichever one leads the
 * controllers: a write to {@code /atoll/control/nudges/{app}} that the leader watches. Only a
 * hint: the leader re-reads SQL, and its periodic resync covers a nudge lost with ZooKeeper.
 */
@Component
public class AppNudges {

    private static final Logger log = LoggerFactory.getLogger(AppNudges.class);

    private final CuratorFramework client;
    private final String root;
    private volatile Consumer<String> local;

    AppNudges(CuratorFramework client, ZkPaths paths) {
        this.client = client;
        this.root = ZKPaths.makePath(paths.root(), "control", "nudges");
    }

    /** Asks the controllers to reconcile the app soon. Never fails the caller. */
    public void nudge(String app) {
        Consumer<String> here = local;
        if (here != null) {
            here.accept(app);
        }
        try {
            client.create().orSetData().creatingParentsIfNeeded()
                    .forPath(ZKPaths.makePath(root, app), Long.toString(System.nanoTime()).getBytes(StandardCharsets.US_ASCII));
        } catch (Exception e) {
            log.debug("Could not nudge {} through ZooKeeper ({}); the resync will see it", app, e.toString());
        }
    }

    /** While leading: every nudge, from any replica, reaches {@code listener}. Close to stop. */
    CuratorCache listen(Consumer<String> listener) {
        local = listener;
        CuratorCache cache = CuratorCache.build(client, root);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, after) -> {
                    String app = ZKPaths.getNodeFromPath(after.getPath());
                    if (!after.getPath().equals(root)) {
                        listener.accept(app);
                    }
                })
                .build());
        cache.start();
        return cache;
    }

    void stopListening() {
        local = null;
    }
}
