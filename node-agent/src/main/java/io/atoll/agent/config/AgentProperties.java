package io.atoll.agent.config;

import io.atoll.model.HealthCheck;
import io.atoll.model.Resources;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How this node agent identifies itself and runs its instances.
 *
 * @param nodeId the node's name in ZooKeeper; defaults to the host name
 * @param zone availability zone the scheduler spreads instances over
 * @param region region the zone belongs to
 * @param advertisedHost the address the gateway uses together with a container's published host port
 * @param instanceAddress the address published for each instance: {@code container}, the container's
 *     own address on the apps' network and its container port, which a gateway on this host reaches
 *     over the bridge without Docker's userland proxy ({@code docker-proxy}); {@code published-port},
 *     {@code advertised-host} and the published host port, the one a gateway on another host can
 *     reach; {@code auto} (default) is {@code container} while {@code advertised-host} is a loopback
 *     address (only a gateway on this host could use it then) and {@code published-port} otherwise
 * @param dockerHost the Docker engine's API endpoint
 * @param capacity what the scheduler may place here; unset parts are derived from the host
 * @param reconcileInterval how often the loop re-reads desired and actual state without being woken
 * @param drainDelay how long a DRAINING instance keeps running before SIGTERM, so the gateway has stopped sending
 * @param stopGrace how long a stopped container has between SIGTERM and SIGKILL
 * @param pullTimeout how long one image pull may take
 * @param health defaults for the parts of an assignment's health check left at zero
 * @param restart when crashed containers are restarted, and when that is a crash loop
 * @param retry backoff for an instance whose pull, create or start the engine refused
 * @param crashLogs how much of a crashed container's log its problem carries
 * @param registryCredentials logins for registries that need one to pull (Atoll's own outside
 *     {@code dev}); each is sent only to its own registry
 */
@ConfigurationProperties("atoll.agent")
public record AgentProperties(
        String nodeId,
        String zone,
        String region,
        String advertisedHost,
        InstanceAddress instanceAddress,
        URI dockerHost,
        Capacity capacity,
        Duration reconcileInterval,
        Duration drainDelay,
        Duration stopGrace,
        Duration pullTimeout,
        Health health,
        Restart restart,
        Retry retry,
        CrashLogs crashLogs,
        List<RegistryCredential> registryCredentials) {

    public AgentProperties {
        nodeId = blank(nodeId) ? hostName() : nodeId;
        zone = blank(zone) ? "zone-a" : zone;
        region = blank(region) ? "region-1" : region;
        advertisedHost = blank(advertisedHost) ? "127.0.0.1" : advertisedHost;
        instanceAddress = instanceAddress == null ? InstanceAddress.AUTO : instanceAddress;
        dockerHost = dockerHost == null ? URI.create("unix:///var/run/docker.sock") : dockerHost;
        capacity = capacity == null ? new Capacity(null, null, null) : capacity;
        reconcileInterval = reconcileInterval == null ? Duration.ofSeconds(2) : reconcileInterval;
        drainDelay = drainDelay == null ? Duration.ofSeconds(2) : drainDelay;
        stopGrace = stopGrace == null ? Duration.ofSeconds(10) : stopGrace;
        pullTimeout = pullTimeout == null ? Duration.ofMinutes(5) : pullTimeout;
        health = health == null ? new Health(null, null, null) : health;
        restart = restart == null ? new Restart(null, null, null, null, null) : restart;
        retry = retry == null ? new Retry(null, null) : retry;
        crashLogs = crashLogs == null ? new CrashLogs(null, null) : crashLogs;
        registryCredentials = registryCredentials == null ? List.of() : List.copyOf(registryCredentials);
    }

    /** Which address of an instance the agent publishes for the gateway. */
    public enum InstanceAddress {
        AUTO, CONTAINER, PUBLISHED_PORT
    }

    /**
     * Whether instances are published at their address on the apps' network rather than at the
     * advertised host's published port. A loopback advertised host (a literal, never looked up)
     * already limits the gateway to this host, which reaches the bridge directly.
     */
    public boolean publishesContainerAddress() {
        return switch (instanceAddress) {
            case CONTAINER -> true;
            case PUBLISHED_PORT -> false;
            case AUTO -> advertisedHost.equals("localhost") || advertisedHost.startsWith("127.")
                    || advertisedHost.equals("::1") || advertisedHost.equals("[::1]");
        };
    }

    /** The login for the registry an image reference names, if one is configured. */
    public Optional<RegistryCredential> credentialFor(String image) {
        String registry = RegistryCredential.registryOf(image);
        return registryCredentials.stream().filter(c -> c.registry().equalsIgnoreCase(registry)).findFirst();
    }

    /**
     * @param registry as image references name it, {@code host[:port]}
     * @param password a secret: never logged
     */
    public record RegistryCredential(String registry, String username, String password) {

        @Override
        public String toString() {
            return "RegistryCredential[registry=" + registry + ", username=" + username + ", password=***]";
        }

        /** Docker's rule: the first component is a registry only with a '.' or ':' or as localhost. */
        static String registryOf(String image) {
            int slash = image.indexOf('/');
            if (slash > 0) {
                String first = image.substring(0, slash);
                if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                    return first;
                }
            }
            return "docker.io";
        }
    }

    /**
     * @param memoryMb defaults to the host's total memory
     * @param cpuShares defaults to 1024 per core, Docker's weight for one full CPU
     * @param containers defaults to 32
     */
    public record Capacity(Long memoryMb, Long cpuShares, Integer containers) {

        public Capacity {
            memoryMb = memoryMb == null ? hostMemoryMb() : memoryMb;
            cpuShares = cpuShares == null ? 1024L * Runtime.getRuntime().availableProcessors() : cpuShares;
            containers = containers == null ? 32 : containers;
        }

        public Resources toResources() {
            return new Resources(memoryMb, cpuShares, containers);
        }
    }

    /**
     * @param interval time between two probes of one instance
     * @param timeout how long one probe may take
     * @param unhealthyThreshold failed probes in a row that turn a HEALTHY instance UNHEALTHY
     */
    public record Health(Duration interval, Duration timeout, Integer unhealthyThreshold) {

        public Health {
            interval = interval == null ? Duration.ofSeconds(1) : interval;
            timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
            unhealthyThreshold = unhealthyThreshold == null ? 3 : unhealthyThreshold;
        }

        /** The assignment's check with every unset (zero) part taken from these defaults. */
        public HealthCheck complete(HealthCheck check) {
            HealthCheck base = check == null ? HealthCheck.ofPath(null) : check;
            return new HealthCheck(
                    blank(base.path()) ? HealthCheck.DEFAULT_PATH : base.path(),
                    base.intervalMillis() > 0 ? base.intervalMillis() : interval.toMillis(),
                    base.timeoutMillis() > 0 ? base.timeoutMillis() : timeout.toMillis(),
                    base.unhealthyThreshold() > 0 ? base.unhealthyThreshold() : unhealthyThreshold);
        }
    }

    /**
     * Diego's policy: the first crashes are restarted at once, later ones after a doubling
     * backoff, and the count starts over once a container has run for {@code resetAfter}.
     *
     * @param immediateRestarts crashes in a row restarted without waiting
     * @param initialBackoff wait after the first crash beyond {@code immediateRestarts}; doubled on each further one
     * @param maxBackoff the backoff never exceeds this
     * @param crashLoopCrashes more crashes in a row than this is a crash loop
     * @param resetAfter a container that ran this long before it exited starts the count over
     */
    public record Restart(Integer immediateRestarts, Duration initialBackoff, Duration maxBackoff,
            Integer crashLoopCrashes, Duration resetAfter) {

        public Restart {
            immediateRestarts = immediateRestarts == null ? 3 : Math.max(0, immediateRestarts);
            initialBackoff = initialBackoff == null ? Duration.ofSeconds(1) : initialBackoff;
            maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
            crashLoopCrashes = crashLoopCrashes == null ? 3 : Math.max(0, crashLoopCrashes);
            resetAfter = resetAfter == null ? Duration.ofMinutes(5) : resetAfter;
        }
    }

    /**
     * Backoff between attempts for an instance that could not be made to run (pull, create or
     * start refused): doubling from {@code initialBackoff} up to {@code maxBackoff}, for ever.
     */
    public record Retry(Duration initialBackoff, Duration maxBackoff) {

        public Retry {
            initialBackoff = initialBackoff == null ? Duration.ofSeconds(1) : initialBackoff;
            maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
        }
    }

    /**
     * The tail of a crashed container's log carried in its problem, bounded both ways because it
     * is written to ZooKeeper on every crash.
     *
     * @param lines at most this many of the last lines (0 reads none; at most 1000)
     * @param maxBytes at most this many bytes in all (at most 64 KiB); the oldest lines go first
     */
    public record CrashLogs(Integer lines, Integer maxBytes) {

        public CrashLogs {
            lines = lines == null ? 20 : Math.max(0, Math.min(lines, 1000));
            maxBytes = maxBytes == null ? 4096 : Math.max(0, Math.min(maxBytes, 64 * 1024));
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return blank(env) ? "localhost" : env;
        }
    }

    private static long hostMemoryMb() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / (1024 * 1024);
        }
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }
}
