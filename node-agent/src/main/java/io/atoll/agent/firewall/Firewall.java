package io.atoll.agent.firewall;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import io.atoll.agent.config.AgentProperties;
import io.atoll.agent.docker.AppNetwork;
import io.atoll.agent.docker.ContainerEvents;
import io.atoll.agent.docker.NetworkProperties;
import io.atoll.model.Assignment;
import io.atoll.model.ContainerLabels;
import io.atoll.model.IpGroup;
import io.atoll.zk.ZkPaths;
import io.atoll.zk.ZkTreeMirror;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Keeps this node's iptables rules equal to what its assignments need (issue 11 item 1), as a
 * level-based loop: every pass reads the rules as they are ({@code iptables -S}), this node's
 * running containers and their addresses on the apps' network (Docker), their assignments'
 * dependencies and the IP groups (ZooKeeper), and rewrites whatever chain differs, atomically.
 * A rule deleted by hand comes back on the next pass; the grants of a removed container go with
 * it; an agent that restarts finds the rules as it wants them and writes nothing.
 *
 * <p>Passes come every {@code atoll.agent.network.interval} and at once on a container start or
 * stop, an assignment change or an IP group change. Nothing is written before both ZooKeeper
 * mirrors have been read: a restarting agent must not take away the grants its running
 * containers have while it does not yet know their dependencies.
 */
@Component("firewall")
public class Firewall extends AbstractHealthIndicator implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Firewall.class);

    private final NetworkProperties network;
    private final AgentProperties agent;
    private final CuratorFramework client;
    private final ZkPaths paths;
    private final DockerClient docker;
    private final AppNetwork appNetwork;
    private final Iptables iptables;
    private final BridgePorts bridgePorts;
    private final String chain;
    private final AtomicBoolean passQueued = new AtomicBoolean();
    /** Containers about to be stopped: their grants go first, before Docker frees their address. */
    private final java.util.Set<String> revoked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Counter repairs;
    private final Counter errors;

    private volatile boolean running;
    /** Atoll's shared chains and jumps are in place: every container is denied what it is not granted. */
    private volatile boolean confining;
    private volatile String lastError;
    private volatile Instant lastPass;
    private volatile int granted;
    private ScheduledExecutorService loop;
    private ZkTreeMirror<Assignment> assignments;
    private ZkTreeMirror<IpGroup> groups;

    public Firewall(NetworkProperties network, AgentProperties agent, CuratorFramework client, ZkPaths paths,
            DockerClient docker, AppNetwork appNetwork, ContainerEvents events, MeterRegistry meters) {
        this.network = network;
        this.agent = agent;
        this.client = client;
        this.paths = paths;
        this.docker = docker;
        this.appNetwork = appNetwork;
        this.iptables = new Iptables(network.iptables());
        this.bridgePorts = new BridgePorts(docker);
        this.chain = FirewallRules.nodeChain(agent.nodeId());
        this.repairs = meters.counter("atoll.agent.firewall.writes");
        this.errors = meters.counter("atoll.agent.firewall.errors");
        events.onChange(this::requestPass);
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        if (!network.isolation()) {
            log.warn("atoll.agent.network.isolation is off: app containers reach anything but each other");
            return;
        }
        loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "atoll-firewall");
            thread.setDaemon(true);
            return thread;
        });
        assignments = ZkTreeMirror.of(client, paths.assignmentsOf(agent.nodeId()), 1, Assignment.class);
        groups = ZkTreeMirror.of(client, paths.ipGroups(), 1, IpGroup.class);
        assignments.addListener((key, value) -> requestPass());
        groups.addListener((key, value) -> requestPass());
        assignments.start();
        groups.start();
        // Deny-all at once, before any container can start, without waiting for ZooKeeper:
        // the shared chains and jumps, this node's chain left as it is.
        confine();
        loop.scheduleWithFixedDelay(this::pass, 0, network.interval().toMillis(), TimeUnit.MILLISECONDS);
        log.info("Keeping chain {} of node {} on bridge {} (host ports {})", chain, agent.nodeId(), network.bridge(),
                network.hostPorts());
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
            groups.close();
            loop = null;
        }
        // The rules stay: the containers they confine keep running without the agent.
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // before the reconcile loop starts, after it stops: it confines what that loop runs
        return io.atoll.agent.node.NodeRegistration.PHASE + 5;
    }

    /** Asks for a pass soon; many asks before it runs make one pass. */
    public void requestPass() {
        ScheduledExecutorService current = loop;
        if (running && current != null && passQueued.compareAndSet(false, true)) {
            try {
                current.execute(this::pass);
            } catch (RuntimeException e) {
                passQueued.set(false); // shutting down
            }
        }
    }

    /** False until the shared chains are written: the reconcile loop starts no container meanwhile. */
    public boolean confines() {
        return !network.isolation() || confining;
    }

    /** Why {@link #confines()} is false, for the instances that wait on it. */
    public String problem() {
        return lastError == null ? "the first firewall pass has not run" : lastError;
    }

    private void confine() {
        confine(false);
    }

    /** @param again rewrite this node's chain even once confining (a revoke before ZooKeeper is read) */
    private synchronized void confine(boolean again) {
        if (confining && !again) {
            return;
        }
        try {
            Map<String, List<String>> current = FirewallRules.parse(iptables.list());
            // This node's grants as they are, less those of addresses no running container of
            // this node has any more: Docker may hand such an address to the next container.
            java.util.Set<String> addresses = new java.util.HashSet<>();
            for (Container container : running()) {
                String address = address(container);
                if (address != null && !revoked.contains(container.getId())) {
                    addresses.add(address + "/32");
                }
            }
            List<String> kept = current.getOrDefault(chain, List.of()).stream()
                    .filter(rule -> addresses.contains(FirewallRules.source(rule))).toList();
            String plan = FirewallRules.plan(current, chain, kept, network.bridge(), network.hostPorts(),
                    network.ingressSources());
            if (plan != null) {
                iptables.restore(plan);
                repairs.increment();
                log.info("Firewall: wrote {} before reading ZooKeeper", changedChains(plan));
            }
            confining = true;
            lastError = null;
        } catch (Exception e) {
            errors.increment();
            lastError = String.valueOf(e.getMessage());
            log.error("Firewall: could not write Atoll's chains; no container starts until it can: {}", e.toString());
        }
    }

    /**
     * Takes a container's grants away now, before it is stopped: once it is, Docker may give its
     * address to the next container it starts, which must not inherit them.
     */
    public void revoke(String containerId) {
        if (!network.isolation() || loop == null) {
            return;
        }
        revoked.add(containerId);
        pass();
    }

    private synchronized void pass() {
        passQueued.set(false);
        if (!assignments.isInitialized() || !groups.isInitialized()) {
            confine(!revoked.isEmpty());
            return;
        }
        try {
            appNetwork.ensure();
            List<FirewallRules.Grantee> grantees = grantees(assignments.snapshot());
            List<String> rules = FirewallRules.nodeRules(chain, grantees, byName(groups.snapshot()));
            String plan = FirewallRules.plan(FirewallRules.parse(iptables.list()), chain, rules, network.bridge(),
                    network.hostPorts(), network.ingressSources());
            if (plan != null) {
                iptables.restore(plan);
                repairs.increment();
                log.info("Firewall: wrote {} ({} grant(s) for {} container(s))", changedChains(plan), rules.size(),
                        grantees.size());
            }
            granted = rules.size();
            lastPass = Instant.now();
            lastError = null;
            confining = true;
        } catch (Exception e) {
            errors.increment();
            if (!String.valueOf(e.getMessage()).equals(lastError)) {
                log.error("Firewall pass failed (app containers are denied what is not written yet): {}", e.toString());
            }
            lastError = String.valueOf(e.getMessage());
        }
    }

    private List<FirewallRules.Grantee> grantees(Map<String, Assignment> assigned) {
        List<Container> containers = running();
        java.util.Set<String> ids = new java.util.HashSet<>();
        List<FirewallRules.Grantee> grantees = new ArrayList<>();
        for (Container container : containers) {
            ids.add(container.getId());
            String instance = container.getLabels() == null ? null : container.getLabels().get(ContainerLabels.INSTANCE);
            Assignment assignment = instance == null ? null : assigned.get(instance);
            String address = address(container);
            if (assignment == null || address == null || assignment.dependencies().isEmpty()
                    || revoked.contains(container.getId())) {
                continue; // nothing to grant: denied everything but the host ports
            }
            String port = bridgePorts.of(container.getId());
            if (port == null) {
                continue; // not found (see BridgePorts): denied, rather than granted by address alone
            }
            grantees.add(new FirewallRules.Grantee(instance, address, port, assignment.dependencies()));
        }
        revoked.retainAll(ids); // stopped now: nothing left to keep from them
        bridgePorts.retain(ids);
        grantees.sort(Comparator.comparing(FirewallRules.Grantee::address));
        return grantees;
    }

    private List<Container> running() {
        return docker.listContainersCmd()
                .withLabelFilter(Map.of(ContainerLabels.NODE, agent.nodeId()))
                .withStatusFilter(List.of("running"))
                .exec();
    }

    /** The container's address on the apps' network, or null. */
    private String address(Container container) {
        ContainerNetwork on = container.getNetworkSettings() == null
                || container.getNetworkSettings().getNetworks() == null ? null
                : container.getNetworkSettings().getNetworks().get(network.name());
        return on == null || on.getIpAddress() == null || on.getIpAddress().isBlank() ? null : on.getIpAddress();
    }

    private static Map<String, IpGroup> byName(Map<String, IpGroup> mirrored) {
        Map<String, IpGroup> byName = new HashMap<>();
        mirrored.forEach((key, group) -> byName.put(key, group));
        return byName;
    }

    private static List<String> changedChains(String plan) {
        return plan.lines().filter(line -> line.startsWith(":") || line.startsWith("-I ") || line.startsWith("-D "))
                .map(line -> line.startsWith(":") ? line.substring(1, line.indexOf(' ')) : line).toList();
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (!network.isolation()) {
            builder.up().withDetail("isolation", "off");
            return;
        }
        builder.withDetail("chain", chain).withDetail("bridge", network.bridge()).withDetail("grants", granted);
        if (lastPass != null) {
            builder.withDetail("lastPass", lastPass.toString());
        }
        if (lastError != null) {
            builder.down().withDetail("error", lastError);
        } else {
            builder.up();
        }
    }
}
