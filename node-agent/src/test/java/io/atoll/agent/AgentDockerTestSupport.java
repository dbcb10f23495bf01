package io.atoll.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.atoll.docker.DockerClients;
import io.atoll.json.JsonCodec;
import io.atoll.model.Assignment;
import io.atoll.model.HealthCheck;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.Resources;
import io.atoll.zk.ZkPaths;
import io.atoll.zk.ZkTreeMirror;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The agent against the real Docker engine and an in-process ZooKeeper, with images made
 * locally. Each test uses its own node id, so it sees only its own containers and removes them
 * after; assertions read ZooKeeper, which is what platform-api reads.
 */
abstract class AgentDockerTestSupport {

    static final String IMAGE = "atoll/hello:local";
    static final Duration WITHIN = Duration.ofSeconds(20);

    static TestingServer zookeeper;
    static CuratorFramework client;
    static DockerClient docker;
    static final ZkPaths paths = new ZkPaths("/atoll");
    static final JsonCodec codec = JsonCodec.shared();
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    String nodeId;
    final List<ConfigurableApplicationContext> agents = new ArrayList<>();
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void engineAndZookeeper() throws Exception {
        Process build = new ProcessBuilder("../demo/build-images.sh").inheritIO().start();
        assertThat(build.waitFor(120, TimeUnit.SECONDS)).as("build-images.sh finished").isTrue();
        assertThat(build.exitValue()).as("build-images.sh exit code (is a Docker engine running?)").isZero();
        docker = DockerClients.connect(URI.create(System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock")),
                16, Duration.ofMinutes(5));
        docker.pingCmd().exec(); // No engine: fail here, loudly.
        zookeeper = new TestingServer(true);
        client = CuratorFrameworkFactory.newClient(zookeeper.getConnectString(), new RetryOneTime(100));
        client.start();
        client.blockUntilConnected();
    }

    @AfterAll
    static void closeAll() throws Exception {
        client.close();
        zookeeper.close();
        docker.close();
    }

    @BeforeEach
    void newNode() {
        nodeId = "test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (ConfigurableApplicationContext agent : agents) {
            agent.close();
        }
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        for (Container container : containers()) {
            docker.removeContainerCmd(container.getId()).withForce(true).exec();
        }
        removeFirewallChain(io.atoll.agent.firewall.FirewallRules.nodeChain(nodeId));
    }

    /**
     * The agent leaves its iptables chain when it stops (its containers keep running); a test
     * node is gone for good, so its chain goes too, best effort: an agent of another test may be
     * rewriting the shared chains that jump to it at this moment.
     */
    private static void removeFirewallChain(String chain) {
        for (List<String> args : List.of(List.of("-F", chain), List.of("-D", "ATOLL-FWD", "-j", chain),
                List.of("-D", "ATOLL-IN", "-j", chain), List.of("-X", chain))) {
            List<String> command = new ArrayList<>(List.of("iptables", "-w", "5"));
            command.addAll(args);
            try {
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start().waitFor(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort
            }
        }
    }

    ConfigurableApplicationContext startAgent(String connectString, String... extra) {
        ConfigurableApplicationContext agent = new SpringApplicationBuilder(NodeAgentApplication.class)
                .properties(extra)
                .properties(
                        "server.port=0",
                        "atoll.zookeeper.connect-string=" + connectString,
                        "atoll.zookeeper.session-timeout=5s",
                        "atoll.agent.node-id=" + nodeId,
                        "atoll.agent.reconcile-interval=500ms",
                        "atoll.agent.drain-delay=500ms",
                        "atoll.agent.stop-grace=2s",
                        "atoll.agent.health.interval=300ms")
                .run();
        agents.add(agent);
        return agent;
    }

    static String newInstanceId() {
        return "i-" + UUID.randomUUID().toString().substring(0, 8);
    }

    Assignment assignment(String instanceId) {
        return new Assignment(instanceId, "hello", "r1", IMAGE, Map.of("GREETING", "hi"), 8080,
                new Resources(64, 256, 1), new HealthCheck("/healthz", 300, 1000, 2), List.of(), false);
    }

    void assign(Assignment assignment) throws Exception {
        client.create().orSetData().creatingParentsIfNeeded()
                .forPath(paths.assignment(nodeId, assignment.instanceId()), codec.encode(assignment));
    }

    static InstanceStatus status(String app, String instanceId) throws Exception {
        try {
            return codec.decode(client.getData().forPath(paths.instance(app, instanceId)), InstanceStatus.class);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    static InstanceStatus awaitState(String app, String instanceId, InstanceState state) {
        return awaitStatus(app, instanceId, s -> s.state() == state);
    }

    static InstanceStatus awaitStatus(String app, String instanceId, Predicate<InstanceStatus> condition) {
        return await().atMost(WITHIN).pollInterval(Duration.ofMillis(50))
                .until(() -> status(app, instanceId), s -> s != null && condition.test(s));
    }

    /** A status as a watcher saw it, with the moment it arrived. */
    record Seen(long nanos, InstanceStatus status) {
    }

    /** Every status of this node's instances of the app from now on, in order, as ZooKeeper watchers see them. */
    List<Seen> watchStatuses(String app) throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        ZkTreeMirror<InstanceStatus> mirror = ZkTreeMirror.of(client, paths.instancesOf(app), 1, InstanceStatus.class);
        mirror.addListener((key, value) -> {
            if (value != null && nodeId.equals(value.nodeId())) {
                seen.add(new Seen(System.nanoTime(), value));
            }
        });
        mirror.start();
        assertThat(mirror.awaitInitialized(Duration.ofSeconds(5))).isTrue();
        closeables.add(mirror);
        return seen;
    }

    /** Every state the app's instances pass through from now on, in order. */
    List<InstanceState> watchStates(String app) throws Exception {
        List<Seen> statuses = watchStatuses(app);
        return new java.util.AbstractList<>() {
            @Override
            public InstanceState get(int index) {
                return statuses.get(index).status().state();
            }

            @Override
            public int size() {
                return statuses.size();
            }
        };
    }

    List<Container> containers() {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(io.atoll.model.ContainerLabels.NODE, nodeId)).exec();
    }

    /** The body of GET / on an address, or null when nothing answers there. */
    static String get(String address) throws InterruptedException {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + "/"))
                    .timeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        }
    }

    // ---- images made here, cached by name: change the name when the content changes -------

    /** An image built from {@code atoll/busybox:local} with the given Dockerfile lines, by the legacy builder (no registry). */
    static void buildImage(String name, String... dockerfileAfterFrom) throws Exception {
        if (imageExists(name)) {
            return;
        }
        String dockerfile = "FROM atoll/busybox:local\n" + String.join("\n", dockerfileAfterFrom) + "\n";
        run(List.of("docker", "build", "-q", "-t", name, "-"), dockerfile.getBytes(StandardCharsets.UTF_8));
    }

    /** An image with an empty file system and no command: Docker refuses to create a container of it. */
    static void importEmptyImage(String name) throws Exception {
        if (imageExists(name)) {
            return;
        }
        // An empty tar archive is two 512-byte blocks of zeros.
        run(List.of("docker", "import", "-", name), new byte[1024]);
    }

    private static boolean imageExists(String name) {
        try {
            docker.inspectImageCmd(name).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static void run(List<String> command, byte[] stdin) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DOCKER_BUILDKIT", "0");
        Process process = builder.start();
        try (var in = process.getOutputStream()) {
            in.write(stdin);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command) + " finished").isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
