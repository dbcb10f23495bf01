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
 * @param dockerHost the Docker engine's API endpoint
 * @param capacity what the scheduler may place here; unset parts are derived from the host
 * @param reconcileInterval how often the loop re-reads desired and actual state without being woken
 * @param drainDelay how long a DRAINING instance keeps running before SIGTERM, so the gateway has stopped sending
 * @param stopGrace how long a stopped container has between SIGTERM and SIGKILL
 * @param pullTimeout how long one image pull may take
 * @param health defaults for the parts of an assignment's health check left at zero
 * @param restart backoff for crashed containers
 * @param registryCredentials logins for registries that need one to pull (Atoll's own outside
 *     {@code dev}); each is sent only to its own registry
 */
@ConfigurationProperties("atoll.agent")
public record AgentProperties(
        String nodeId,
        String zone,
        String region,
        String advertisedHost,
        URI dockerHost,
        Capacity capacity,
        Duration reconcileInterval,
        Duration drainDelay,
        Duration stopGrace,
        Duration pullTimeout,
        Health health,
        Restart restart,
        List<RegistryCredential> registryCredentials) {

    public AgentProperties {
        nodeId = blank(nodeId) ? hostName() : nodeId;
        zone = blank(zone) ? "zone-a" : zone;
        region = blank(region) ? "region-1" : region;
        advertisedHost = blank(advertisedHost) ? "127.0.0.1" : advertisedHost;
        dockerHost = dockerHost == null ? URI.create("unix:///var/run/docker.sock") : dockerHost;
        capacity = capacity == null ? new Capacity(null, null, null) : capacity;
        reconcileInterval = reconcileInterval == null ? Duration.ofSeconds(2) : reconcileInterval;
        drainDelay = drainDelay == null ? Duration.ofSeconds(2) : drainDelay;
        stopGrace = stopGrace == null ? Duration.ofSeconds(10) : stopGrace;
        pullTimeout = pullTimeout == null ? Duration.ofMinutes(5) : pullTimeout;
        health = health == null ? new Health(null, null, null) : health;
        restart = restart == null ? new Restart(null, null, null, null) : restart;
        registryCredentials = registryCredentials == null ? List.of() : List.copyOf(registryCredentials);
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
     * @param initialBackoff wait before restarting after the first crash; doubled on each further crash
     * @param maxBackoff the backoff never exceeds this
     * @param crashLoopCrashes more crashes than this within {@code crashLoopWindow} is a crash loop
     * @param crashLoopWindow how far back crashes count
     */
    public record Restart(Duration initialBackoff, Duration maxBackoff, Integer crashLoopCrashes, Duration crashLoopWindow) {

        public Restart {
            initialBackoff = initialBackoff == null ? Duration.ofSeconds(1) : initialBackoff;
            maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
            crashLoopCrashes = crashLoopCrashes == null ? 5 : crashLoopCrashes;
            crashLoopWindow = crashLoopWindow == null ? Duration.ofMinutes(5) : crashLoopWindow;
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
