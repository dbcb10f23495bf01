package io.atoll.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.atoll.json.JsonCodec;
import io.atoll.model.Assignment;
import io.atoll.model.InstanceProblem;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import io.atoll.testing.TestDatabase;
import io.atoll.zk.ZkPaths;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Tag;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One running platform-api for every API test class (they share this configuration, so Spring
 * starts it once): real HTTP on a random port, a real ZooKeeper, H2 in memory. Atoll's registry is
 * played by a small HTTP server answering manifest HEADs for {@code hello:1} and {@code hello:2}
 * (with login {@code puller:secret}); {@code allowed-registries} lists a second one,
 * {@link #otherRegistry}, which knows no image, and a port where nothing listens. The end-to-end
 * test covers the real ones.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// on H2, and on PostgreSQL in a second run (platform-api/pom.xml)
@Tag(TestDatabase.TAG)
// Tests move their work to a node of their own by unregistering the others: never "lost" here
// (NodeLossTest overrides it).
@TestPropertySource(properties = {
        "atoll.platform.node-lost-grace=1h",
        // users and teams: an embedded directory (a real slapd serves the same in TeamAccessSlapdTest)
        "atoll.platform.security.ldap.enabled=true",
        "spring.ldap.embedded.base-dn=dc=atoll,dc=test",
        "spring.ldap.embedded.ldif=classpath:ldap/test-directory.ldif",
        "spring.ldap.base=dc=atoll,dc=test",
        "spring.datasource.url=jdbc:h2:mem:platform-api-test;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000"})
public abstract class ApiTestSupport {

    public static final String DIGEST = "sha256:" + "ab".repeat(32);
    /** {@code hello:2}'s digest: another image, so a deploy of it changes what instances run. */
    public static final String DIGEST_2 = "sha256:" + "cd".repeat(32);
    public static final String TOKEN = "test-token";
    protected static final TestingServer zookeeper;
    protected static final HttpServer registry;
    protected static final HttpServer otherRegistry;
    /** Requests {@link #otherRegistry} received. */
    protected static final AtomicInteger otherRegistryRequests = new AtomicInteger();
    /** An allowed registry where nothing listens. */
    protected static final int deadRegistryPort;

    // ZooKeeper and the registries are left to die with the JVM: the cached Spring context closes
    // after the last test class and would otherwise spend its shutdown retrying a server that is gone.
    static {
        try {
            zookeeper = new TestingServer(true);
            registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            registry.createContext("/v2/", exchange -> {
                if (!"Basic cHVsbGVyOnNlY3JldA==".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    exchange.sendResponseHeaders(401, -1); // puller:secret
                    exchange.close();
                    return;
                }
                boolean known = exchange.getRequestURI().getPath().equals("/v2/hello/manifests/1")
                        || exchange.getRequestURI().getPath().equals("/v2/hello/manifests/2");
                if (known) {
                    exchange.getResponseHeaders().add("Docker-Content-Digest",
                            exchange.getRequestURI().getPath().endsWith("/2") ? DIGEST_2 : DIGEST);
                }
                exchange.sendResponseHeaders(known ? 200 : 404, -1);
                exchange.close();
            });
            registry.start();
            otherRegistry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            otherRegistry.createContext("/", exchange -> {
                otherRegistryRequests.incrementAndGet();
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
            });
            otherRegistry.start();
            try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                deadRegistryPort = free.getLocalPort();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        // -Datoll.test.database=postgresql: each context on a fresh PostgreSQL database instead of H2
        TestDatabase.register(properties);
        properties.add("atoll.zookeeper.connect-string", zookeeper::getConnectString);
        properties.add("atoll.platform.registry.url", () -> "http://127.0.0.1:" + registry.getAddress().getPort());
        properties.add("atoll.platform.registry.pull-host", () -> "registry.test:5000");
        properties.add("atoll.platform.registry.username", () -> "puller");
        properties.add("atoll.platform.registry.password", () -> "secret");
        properties.add("atoll.platform.registry.allowed-registries",
                () -> "localhost:" + otherRegistry.getAddress().getPort() + ", localhost:" + deadRegistryPort);
        properties.add("atoll.platform.deploy.healthy-timeout", () -> "5s");
        properties.add("atoll.platform.deploy.drain-timeout", () -> "2s");
        properties.add("atoll.platform.sync.interval", () -> "1s");
        properties.add("atoll.platform.control.resync", () -> "1s");
        properties.add("atoll.platform.security.api-tokens", () -> TOKEN);
        properties.add("atoll.platform.web.max-body-size", () -> "64KB");
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected CuratorFramework curator;
    @Autowired
    protected ZkPaths paths;

    protected final JsonCodec codec = JsonCodec.shared();
    protected final HttpClient http = HttpClient.newHttpClient();
    protected final JsonMapper json = JsonMapper.builder().build();

    protected HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(method, path, body, TOKEN);
    }

    protected HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Asserts a problem+json answer with that status, and returns its body. */
    protected JsonNode assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        return problem;
    }

    protected HttpResponse<String> createApp(String body) throws Exception {
        return send("POST", "/api/v1/apps", body);
    }

    protected JsonNode awaitDeploy(String app, String id) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> json.readTree(send("GET", "/api/v1/apps/" + app + "/deploys/" + id, null).body()),
                        body -> body.path("status").asString().matches("SUCCEEDED|FAILED|ROLLED_BACK"));
    }

    /** Each test places on its own node only: the nodes of earlier tests leave. */
    protected void registerNode(String nodeId) throws Exception {
        if (curator.checkExists().forPath(paths.nodes()) != null) {
            for (String other : curator.getChildren().forPath(paths.nodes())) {
                curator.delete().forPath(paths.node(other));
            }
        }
        var node = new NodeInfo(nodeId, "127.0.0.1", "zone-a", "r1", new Resources(8192, 8192, 20), Resources.NONE,
                false, "test");
        curator.create().orSetData().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(paths.node(nodeId), codec.encode(node));
        await().atMost(Duration.ofSeconds(5)).until(() ->
                send("GET", "/api/v1/nodes", null).body().contains(nodeId));
    }

    protected List<String> assignments(String nodeId) throws Exception {
        return curator.checkExists().forPath(paths.assignmentsOf(nodeId)) == null ? List.of()
                : curator.getChildren().forPath(paths.assignmentsOf(nodeId));
    }

    /**
     * The node's assignments as they stand; one that the scheduler retires between the listing and the read is left
     * out, as an agent would never see it.
     */
    protected List<Assignment> assignmentsOf(String nodeId) throws Exception {
        List<Assignment> found = new ArrayList<>();
        for (String id : assignments(nodeId)) {
            try {
                found.add(codec.decode(curator.getData().forPath(paths.assignment(nodeId, id)), Assignment.class));
            } catch (KeeperException.NoNodeException retired) {
                // gone since listed
            }
        }
        return found;
    }

    protected String deployStatus(String app, String id) throws Exception {
        return json.readTree(send("GET", "/api/v1/apps/" + app + "/deploys/" + id, null).body()).path("status").asString();
    }

    /** Plays the agent: assignments whose instance id starts with the prefix are reported in that state. */
    protected void report(String nodeId, String prefix, InstanceState state) throws Exception {
        report(nodeId, prefix, state, null);
    }

    protected void report(String nodeId, String prefix, InstanceState state, InstanceProblem problem) throws Exception {
        for (Assignment a : assignmentsOf(nodeId)) {
            String id = a.instanceId();
            if (!id.startsWith(prefix)) {
                continue;
            }
            var status = new InstanceStatus(id, a.app(), nodeId, "zone-a", a.releaseId(), "127.0.0.1:1",
                    a.draining() ? InstanceState.DRAINING : state, Instant.now(), "c-" + id, problem);
            curator.create().orSetData().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(paths.instance(a.app(), id), codec.encode(status));
        }
    }

    /** Plays the agent's end of a drain: the instance node of every draining assignment goes away. */
    protected void leaveDrained(String nodeId) throws Exception {
        for (Assignment a : assignmentsOf(nodeId)) {
            if (a.draining()) {
                curator.delete().quietly().forPath(paths.instance(a.app(), a.instanceId()));
            }
        }
    }

    /** Registers one more node, leaving the others. */
    protected void addNode(String nodeId) throws Exception {
        var node = new NodeInfo(nodeId, "127.0.0.1", "zone-b", "r1", new Resources(8192, 8192, 20), Resources.NONE,
                false, "test");
        curator.create().orSetData().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(paths.node(nodeId), codec.encode(node));
        await().atMost(Duration.ofSeconds(5)).until(() -> send("GET", "/api/v1/nodes", null).body().contains(nodeId));
    }

    /** Plays the agent: every assignment on the node is reported with the given state. */
    protected void reportAll(String nodeId, InstanceState state) throws Exception {
        report(nodeId, "", state);
    }
}
