package io.atoll.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.atoll.json.JsonCodec;
import io.atoll.model.Assignment;
import io.atoll.model.ContainerLabels;
import io.atoll.model.HealthCheck;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import io.atoll.zk.ZkPaths;
import io.atoll.zk.ZkTreeMirror;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The agent against the real Docker engine and an in-process ZooKeeper, with the demo image.
 * Each test uses its own node id, so it sees only its own containers and removes them after.
 */
class NodeAgentDockerTest {

    private static final String IMAGE = "atoll/hello:local";
    private static final Duration WITHIN = Duration.ofSeconds(20);

    private static TestingServer zookeeper;
    private static CuratorFramework client;
    private static DockerClient docker;
    private static final ZkPaths paths = new ZkPaths("/atoll");
    private static final JsonCodec codec = JsonCodec.shared();
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private String nodeId;
    private final List<ConfigurableApplicationContext> agents = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void engineAndZookeeper() throws Exception {
        Process build = new ProcessBuilder("../demo/build-images.sh").inheritIO().start();
        assertThat(build.waitFor(120, TimeUnit.SECONDS)).as("build-images.sh finished").isTrue();
        assertThat(build.exitValue()).as("build-images.sh exit code (is a Docker engine running?)").isZero();
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        docker = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).build());
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
    }

    @Test
    void anAssignmentBecomesALabelledContainerThatTurnsHealthyAndAnswers() throws Exception {
        List<InstanceState> seen = watchStates("hello");
        startAgent(zookeeper.getConnectString());
        String instance = newInstanceId();
        assign(assignment(instance));

        InstanceStatus status = awaitState("hello", instance, InstanceState.HEALTHY);
        assertThat(seen).first().isEqualTo(InstanceState.STARTING);
        assertThat(status.nodeId()).isEqualTo(nodeId);
        assertThat(status.zone()).isEqualTo("zone-a");
        assertThat(status.releaseId()).isEqualTo("r1");
        assertThat(status.address()).startsWith("127.0.0.1:");
        assertThat(get(status.address())).startsWith("hello from " + instance + " (app hello, release r1, zone zone-a)");

        List<Container> containers = containers();
        assertThat(containers).hasSize(1);
        InspectContainerResponse inspect = docker.inspectContainerCmd(containers.get(0).getId()).exec();
        assertThat(status.containerId()).isEqualTo(inspect.getId());
        assertThat(inspect.getName()).isEqualTo("/atoll-" + instance);
        assertThat(inspect.getConfig().getLabels()).containsAllEntriesOf(Map.of(
                ContainerLabels.APP, "hello", ContainerLabels.INSTANCE, instance,
                ContainerLabels.RELEASE, "r1", ContainerLabels.NODE, nodeId));
        assertThat(inspect.getConfig().getEnv()).contains("PORT=8080", "ATOLL_APP=hello", "ATOLL_RELEASE=r1",
                "ATOLL_INSTANCE=" + instance, "ATOLL_ZONE=zone-a", "GREETING=hi");
        HostConfig host = inspect.getHostConfig();
        assertThat(host.getMemory()).isEqualTo(64L * 1024 * 1024);
        assertThat(host.getCpuShares()).isEqualTo(256);
        assertThat(host.getInit()).isTrue();

        await().atMost(WITHIN).untilAsserted(() -> {
            NodeInfo node = codec.decode(client.getData().forPath(paths.node(nodeId)), NodeInfo.class);
            assertThat(node.zone()).isEqualTo("zone-a");
            assertThat(node.usage()).isEqualTo(new Resources(64, 256, 1));
            assertThat(node.capacity().containers()).isEqualTo(32);
        });
    }

    @Test
    void aKilledContainerIsRestartedInPlaceAndBecomesHealthyAgainWithinSeconds() throws Exception {
        startAgent(zookeeper.getConnectString());
        String instance = newInstanceId();
        assign(assignment(instance));
        InstanceStatus before = awaitState("hello", instance, InstanceState.HEALTHY);
        String startedBefore = docker.inspectContainerCmd(before.containerId()).exec().getState().getStartedAt();
        List<InstanceState> seen = watchStates("hello");

        long killedAt = System.nanoTime();
        docker.killContainerCmd(before.containerId()).exec();

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(InstanceState.UNHEALTHY));
        InstanceStatus after = awaitState("hello", instance, InstanceState.HEALTHY);
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(10));
        assertThat(after.containerId()).isEqualTo(before.containerId());
        assertThat(docker.inspectContainerCmd(after.containerId()).exec().getState().getStartedAt())
                .isNotEqualTo(startedBefore);
        assertThat(get(after.address())).startsWith("hello from " + instance);
    }

    @Test
    void aRestartedAgentAdoptsItsRunningContainersWithoutRestartingThem() throws Exception {
        ConfigurableApplicationContext first = startAgent(zookeeper.getConnectString());
        String instance = newInstanceId();
        assign(assignment(instance));
        InstanceStatus before = awaitState("hello", instance, InstanceState.HEALTHY);
        String startedBefore = docker.inspectContainerCmd(before.containerId()).exec().getState().getStartedAt();

        first.close();
        assertThat(docker.inspectContainerCmd(before.containerId()).exec().getState().getRunning()).isTrue();
        await().atMost(WITHIN).until(() -> status("hello", instance) == null);
        assertThat(get(before.address())).as("the app keeps serving without its agent").startsWith("hello from " + instance);

        startAgent(zookeeper.getConnectString());
        InstanceStatus after = awaitState("hello", instance, InstanceState.HEALTHY);
        assertThat(after.containerId()).isEqualTo(before.containerId());
        assertThat(after.address()).isEqualTo(before.address());
        assertThat(docker.inspectContainerCmd(after.containerId()).exec().getState().getStartedAt()).isEqualTo(startedBefore);
        assertThat(containers()).hasSize(1);
    }

    @Test
    void drainingOrDeletedAssignmentsLoseTheirContainerAndInstanceNode() throws Exception {
        startAgent(zookeeper.getConnectString());
        String drained = newInstanceId();
        String deleted = newInstanceId();
        assign(assignment(drained));
        assign(assignment(deleted));
        InstanceStatus drainedStatus = awaitState("hello", drained, InstanceState.HEALTHY);
        awaitState("hello", deleted, InstanceState.HEALTHY);
        List<InstanceState> seen = watchStates("hello");

        assign(assignment(drained).withDraining(true));
        client.delete().forPath(paths.assignment(nodeId, deleted));

        await().atMost(WITHIN).until(() -> seen.contains(InstanceState.DRAINING));
        await().atMost(WITHIN).until(() -> status("hello", drained) == null && status("hello", deleted) == null);
        await().atMost(WITHIN).until(() -> containers().isEmpty());
        assertThat(get(drainedStatus.address())).as("nothing listens any more").isNull();
    }

    @Test
    void anOrphanContainerIsRemovedOnlyOnceTheAssignmentsHaveBeenRead() throws Exception {
        String orphan = docker.createContainerCmd(IMAGE)
                .withName("atoll-orphan-" + nodeId)
                .withLabels(Map.of(ContainerLabels.NODE, nodeId, ContainerLabels.INSTANCE, "orphan-" + nodeId,
                        ContainerLabels.APP, "hello", ContainerLabels.RELEASE, "r0"))
                .withEnv("PORT=8080")
                .withExposedPorts(ExposedPort.tcp(8080))
                .withHostConfig(HostConfig.newHostConfig()
                        .withPortBindings(new PortBinding(Ports.Binding.bindIp("0.0.0.0"), ExposedPort.tcp(8080))))
                .exec().getId();
        docker.startContainerCmd(orphan).exec();

        // A ZooKeeper that is not there yet: the agent cannot know the orphan is one.
        int port = InstanceSpec.getRandomPort();
        startAgent("127.0.0.1:" + port);
        Thread.sleep(3000); // several reconcile passes
        assertThat(docker.inspectContainerCmd(orphan).exec().getState().getRunning()).isTrue();

        closeables.add(new TestingServer(port, true));
        await().atMost(WITHIN).until(() -> containers().isEmpty());
    }

    @Test
    void anAppThatKeepsExitingIsRestartedAndReportedAsACrashLoop() throws Exception {
        startAgent(zookeeper.getConnectString(),
                "atoll.agent.restart.initial-backoff=50ms", "atoll.agent.restart.max-backoff=200ms");
        String instance = newInstanceId();
        // The bare busybox image runs /bin/sh without input: it exits at once, every time.
        Assignment failing = new Assignment(instance, "hello", "r1", "atoll/busybox:local", Map.of(), 8080,
                Resources.NONE, null, List.of(), false);
        assign(failing);

        InstanceStatus status = awaitState("hello", instance, InstanceState.CRASHLOOP);
        InspectContainerResponse inspect = docker.inspectContainerCmd(status.containerId()).exec();
        assertThat(inspect.getRestartCount()).as("Docker's own restart policy is not used").isZero();
        assertThat(containers()).hasSize(1);
        // Still retried at the cap: the same container keeps being started.
        String finished = inspect.getState().getFinishedAt();
        await().atMost(WITHIN).until(() ->
                !finished.equals(docker.inspectContainerCmd(status.containerId()).exec().getState().getFinishedAt()));
    }

    @Test
    void anImageThatCannotBePulledBlocksOnlyItsOwnInstanceAndIsRetriedOnceFixed() throws Exception {
        startAgent(zookeeper.getConnectString());
        String broken = newInstanceId();
        String healthy = newInstanceId();
        Assignment unpullable = new Assignment(broken, "hello", "r1", "127.0.0.1:1/atoll/nothing:here", Map.of(), 8080,
                Resources.NONE, null, List.of(), false);
        assign(unpullable);
        assign(assignment(healthy));

        awaitState("hello", healthy, InstanceState.HEALTHY);
        assertThat(status("hello", broken)).as("nothing to report without a container").isNull();
        assertThat(containers()).hasSize(1);

        assign(assignment(broken));
        awaitState("hello", broken, InstanceState.HEALTHY);
        assertThat(containers()).hasSize(2);
    }

    @Test
    void aZookeeperOutageLeavesRunningInstancesAloneAndTheirStatusComesBack() throws Exception {
        TestingServer own = new TestingServer(InstanceSpec.getRandomPort(), true);
        closeables.add(own);
        CuratorFramework ownClient = CuratorFrameworkFactory.newClient(own.getConnectString(), new RetryOneTime(100));
        closeables.add(ownClient);
        ownClient.start();
        ownClient.blockUntilConnected();
        startAgent(own.getConnectString());
        String instance = newInstanceId();
        ownClient.create().creatingParentsIfNeeded()
                .forPath(paths.assignment(nodeId, instance), codec.encode(assignment(instance)));
        InstanceStatus before = await().atMost(WITHIN).until(() -> statusIn(ownClient, instance),
                s -> s != null && s.state() == InstanceState.HEALTHY);
        String startedBefore = docker.inspectContainerCmd(before.containerId()).exec().getState().getStartedAt();

        own.stop();
        Thread.sleep(7000); // past the 5 s session timeout: the agent's session is gone
        InspectContainerResponse during = docker.inspectContainerCmd(before.containerId()).exec();
        assertThat(during.getState().getRunning()).isTrue();
        assertThat(during.getState().getStartedAt()).isEqualTo(startedBefore);

        own.restart();
        InstanceStatus after = await().atMost(WITHIN).until(() -> statusIn(ownClient, instance),
                s -> s != null && s.state() == InstanceState.HEALTHY);
        assertThat(after.containerId()).isEqualTo(before.containerId());
        assertThat(docker.inspectContainerCmd(after.containerId()).exec().getState().getStartedAt()).isEqualTo(startedBefore);
        await().atMost(WITHIN).until(() -> ownClient.checkExists().forPath(paths.node(nodeId)) != null);
    }

    private InstanceStatus statusIn(CuratorFramework zk, String instanceId) throws Exception {
        try {
            return codec.decode(zk.getData().forPath(paths.instance("hello", instanceId)), InstanceStatus.class);
        } catch (KeeperException.NoNodeException | KeeperException.ConnectionLossException e) {
            return null;
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private ConfigurableApplicationContext startAgent(String connectString, String... extra) {
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

    private static String newInstanceId() {
        return "i-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Assignment assignment(String instanceId) {
        return new Assignment(instanceId, "hello", "r1", IMAGE, Map.of("GREETING", "hi"), 8080,
                new Resources(64, 256, 1), new HealthCheck("/healthz", 300, 1000, 2), List.of(), false);
    }

    private void assign(Assignment assignment) throws Exception {
        client.create().orSetData().creatingParentsIfNeeded()
                .forPath(paths.assignment(nodeId, assignment.instanceId()), codec.encode(assignment));
    }

    private static InstanceStatus status(String app, String instanceId) throws Exception {
        try {
            return codec.decode(client.getData().forPath(paths.instance(app, instanceId)), InstanceStatus.class);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    private static InstanceStatus awaitState(String app, String instanceId, InstanceState state) {
        return await().atMost(WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> status(app, instanceId), s -> s != null && s.state() == state);
    }

    /** Every state the app's instances pass through from now on, in order. */
    private List<InstanceState> watchStates(String app) throws Exception {
        List<InstanceState> seen = new CopyOnWriteArrayList<>();
        ZkTreeMirror<InstanceStatus> mirror = ZkTreeMirror.of(client, paths.instancesOf(app), 1, InstanceStatus.class);
        mirror.addListener((key, value) -> {
            if (value != null && nodeId.equals(value.nodeId())) {
                seen.add(value.state());
            }
        });
        mirror.start();
        assertThat(mirror.awaitInitialized(Duration.ofSeconds(5))).isTrue();
        closeables.add(mirror);
        return seen;
    }

    private List<Container> containers() {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(ContainerLabels.NODE, nodeId)).exec();
    }

    /** The body of GET / on an address, or null when nothing answers there. */
    private static String get(String address) throws InterruptedException {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + "/"))
                    .timeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
