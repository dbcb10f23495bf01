package io.atoll.zk.discovery;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.cloud.zookeeper.serviceregistry.ZookeeperRegistration;
import org.springframework.cloud.zookeeper.serviceregistry.ZookeeperServiceRegistry;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * Registers this service in ZooKeeper for discovery (the dashboard finds the services there) once
 * ZooKeeper answers, never holding up the start: Spring Cloud Zookeeper's own registration runs in
 * the start and blocks it until ZooKeeper is reachable, and a gateway or a registry must serve
 * while ZooKeeper is away. Curator's service discovery registers again by itself after a
 * reconnection; this covers the first connection, and a registration that failed.
 */
class DiscoveryRegistrar implements ApplicationListener<WebServerInitializedEvent>, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DiscoveryRegistrar.class);

    private final CuratorFramework curator;
    private final ZookeeperServiceRegistry registry;
    private final ZookeeperRegistration registration;
    private final ConnectionStateListener onConnect = (client, state) -> {
        if (state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTED) {
            registerSoon();
        }
    };
    /** One thread: registrations never overlap, and a ZooKeeper call never runs on Curator's event thread. */
    private ExecutorService worker;
    private volatile boolean running;
    private volatile boolean registered;

    DiscoveryRegistrar(CuratorFramework curator, ZookeeperServiceRegistry registry, ZookeeperRegistration registration) {
        this.curator = curator;
        this.registry = registry;
        this.registration = registration;
    }

    /** The port is known once the web server listens; the main server's, not a management server's. */
    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getParent() == null && registration.getPort() == 0) {
            registration.setPort(event.getWebServer().getPort());
        }
        if (running) {
            registerSoon();
        }
    }

    @Override
    public synchronized void start() {
        worker = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "atoll-discovery-registration");
            thread.setDaemon(true);
            return thread;
        });
        running = true;
        curator.getConnectionStateListenable().addListener(onConnect);
        registerSoon();
    }

    private void registerSoon() {
        ExecutorService current = worker;
        if (current != null && !current.isShutdown()) {
            current.execute(this::register);
        }
    }

    private void register() {
        if (!running || registered || registration.getPort() == 0 || !curator.getZookeeperClient().isConnected()) {
            return;
        }
        try {
            registry.register(registration);
            registered = true;
            log.info("Registered {} at {}:{} for discovery", registration.getServiceId(), registration.getHost(),
                    registration.getPort());
        } catch (RuntimeException e) {
            // the next connection tries again
            log.warn("Could not register for discovery yet: {}", e.toString());
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        curator.getConnectionStateListenable().removeListener(onConnect);
        if (worker != null) {
            worker.shutdownNow();
        }
        if (registered && curator.getZookeeperClient().isConnected()) {
            try {
                registry.deregister(registration);
            } catch (RuntimeException e) {
                log.debug("Could not deregister: {}", e.toString()); // the ephemeral node goes with the session
            }
        }
        registered = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Registered last and gone first: only a service that is up is discoverable. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }
}
