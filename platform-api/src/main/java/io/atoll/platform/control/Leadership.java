package io.atoll.platform.control;

import io.atoll.zk.ZkPaths;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;

/**
 * Curator leader election wrapped around the controllers (DESIGN §5): every replica serves the
 * API, the one holding {@code /atoll/leader/controllers} runs them. LeaderLatch calls back only
 * on real transitions, and drops leadership when the ZooKeeper connection is suspended or lost,
 * so two replicas never reconcile at once for longer than it takes a lost session to be noticed.
 */
public class Leadership implements SmartLifecycle, HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(Leadership.class);

    private final CuratorFramework client;
    private final String path;
    private final AppControllers controllers;
    private final String id = UUID.randomUUID().toString();
    private ExecutorService callbacks;
    private LeaderLatch latch;
    private volatile boolean running;

    Leadership(CuratorFramework client, ZkPaths paths, AppControllers controllers) {
        this.client = client;
        this.path = paths.controllersLeader();
        this.controllers = controllers;
    }

    public boolean isLeader() {
        LeaderLatch current = latch;
        return current != null && current.hasLeadership();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        // One thread for the latch's callbacks: start and stop of the controllers never overlap.
        callbacks = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "leadership");
            thread.setDaemon(true);
            return thread;
        });
        latch = new LeaderLatch(client, path, id);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                log.info("This platform-api ({}) leads the controllers", id);
                controllers.start();
            }

            @Override
            public void notLeader() {
                log.info("This platform-api ({}) no longer leads the controllers", id);
                controllers.stop();
            }
        }, callbacks);
        try {
            latch.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot join the leader election at " + path, e);
        }
        running = true;
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        try {
            if (latch != null) {
                latch.close(LeaderLatch.CloseMode.NOTIFY_LEADER);
            }
        } catch (Exception e) {
            log.warn("Leaving the leader election: {}", e.toString());
        }
        callbacks.submit(controllers::stop);
        callbacks.shutdown();
        try {
            callbacks.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        latch = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the cluster mirrors (ClusterState) have started reading; stopped before them. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 100;
    }

    @Override
    public Health health() {
        return Health.up().withDetail("leader", isLeader()).withDetail("controllersRunning", controllers.running())
                .build();
    }
}
