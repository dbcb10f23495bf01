package io.atoll.platform.deploys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.atoll.json.JsonCodec;
import io.atoll.model.Assignment;
import io.atoll.model.AppRoute;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import io.atoll.zk.ZkPaths;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.apache.zookeeper.CreateMode;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST API and the deploy orchestration against a real ZooKeeper and H2. The agents are
 * played by the test (it publishes instance states) and the registry by a small HTTP server
 * answering manifest HEADs: the end-to-end test covers the real ones.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PlatformApiTest {

    static final String DIGEST = "sha256:" + "ab".repeat(32);
    static TestingServer zookeeper;
    static HttpServer registry;

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
                    exchange.getResponseHeaders().add("Docker-Content-Digest", DIGEST);
                }
                exchange.sendResponseHeaders(known ? 200 : 404, -1);
                exchange.close();
            });
            registry.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("atoll.zookeeper.connect-string", zookeeper::getConnectString);
        properties.add("atoll.platform.registry.url", () -> "http://127.0.0.1:" + registry.getAddress().getPort());
        properties.add("atoll.platform.registry.pull-host", () -> "registry.test:5000");
        properties.add("atoll.platform.registry.username", () -> "puller");
        properties.add("atoll.platform.registry.password", () -> "secret");
        properties.add("spring.datasource.url", () -> "jdbc:h2:mem:platform-api-test;DB_CLOSE_DELAY=-1");
        properties.add("atoll.platform.deploy.healthy-timeout", () -> "5s");
        properties.add("atoll.platform.deploy.drain-timeout", () -> "2s");
        properties.add("atoll.platform.sync.interval", () -> "1s");
        properties.add("atoll.platform.security.api-tokens", () -> "test-token");
    }

    // ZooKeeper is left to die with the JVM: the cached Spring context closes after @AfterAll
    // and would otherwise spend its shutdown retrying a server that is gone.
    @AfterAll
    static void stop() {
        registry.stop(0);
    }

    @LocalServerPort
    int port;
    @Autowired
    CuratorFramework curator;
    @Autowired
    ZkPaths paths;

    final HttpClient http = HttpClient.newHttpClient();
    final JsonMapper json = JsonMapper.builder().build();
    final JsonCodec codec = JsonCodec.shared();

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(method, path, body, "test-token");
    }

    HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        request
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json.readTree(response.body()).path("status").asInt()).isEqualTo(status);
    }

    @Test
    void writesNeedAnApiTokenOutsideDev() throws Exception {
        HttpResponse<String> anonymous = send("POST", "/api/v1/apps", "{\"name\":\"anon\"}", null);
        assertProblem(anonymous, 401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"atoll\"");
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"anon\"}", "wrong-token"), 401);
        assertProblem(send("GET", "/api/v1/apps/anon", null, null), 404);
        assertThat(send("POST", "/api/v1/apps", "{\"name\":\"anon\"}", "test-token").statusCode()).isEqualTo(201);
        assertThat(send("GET", "/api/v1/apps/anon", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/health", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void badInputToCreateAppIsAProblem() throws Exception {
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"Bad_Name\"}"), 400);
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"../etc\"}"), 400);
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":"), 400);
        assertProblem(send("POST", "/api/v1/apps", "[1,2]"), 400);
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"ok-name\",\"containerPort\":70000}"), 400);
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"ok-name\",\"hosts\":[\"bad host\"]}"), 400);
        assertThat(send("POST", "/api/v1/apps", "{\"name\":\"dup\"}").statusCode()).isEqualTo(201);
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"dup\"}"), 409);
        assertProblem(send("GET", "/api/v1/apps/nope", null), 404);
        assertProblem(send("POST", "/api/v1/apps/nope/deploys", "{\"image\":\"x:1\",\"instances\":1}"), 404);
        assertProblem(send("POST", "/api/v1/apps/dup/deploys", "{\"instances\":1}"), 400);
        assertProblem(send("GET", "/api/v1/apps/dup/deploys/unknown-id", null), 404);
    }

    JsonNode awaitDeploy(String app, String id) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            var body = json.readTree(send("GET", "/api/v1/apps/" + app + "/deploys/" + id, null).body());
            return body;
        }, body -> body.path("status").asString().matches("SUCCEEDED|FAILED"));
    }

    @Test
    void deployOfAMissingImageFailsWithTheReason() throws Exception {
        send("POST", "/api/v1/apps", "{\"name\":\"missing\"}");
        registerNode("node-m");
        var accepted = send("POST", "/api/v1/apps/missing/deploys", "{\"image\":\"hello:404\",\"instances\":1}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("Location")).isPresent();
        var deploy = awaitDeploy("missing", json.readTree(accepted.body()).path("id").asString());
        assertThat(deploy.path("status").asString()).isEqualTo("FAILED");
        assertThat(deploy.path("reason").asString()).contains("404");
    }

    /** Each test places on its own node only: the nodes of earlier tests leave. */
    void registerNode(String nodeId) throws Exception {
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

    /** Plays the agent: every assignment on the node is reported with the given state. */
    void reportAll(String nodeId, InstanceState state) throws Exception {
        var children = curator.getChildren().forPath(paths.assignmentsOf(nodeId));
        for (String id : children) {
            Assignment a = codec.decode(curator.getData().forPath(paths.assignment(nodeId, id)), Assignment.class);
            var status = new InstanceStatus(id, a.app(), nodeId, "zone-a", a.releaseId(), "127.0.0.1:1",
                    a.draining() ? InstanceState.DRAINING : state, Instant.now(), "c-" + id);
            curator.create().orSetData().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(paths.instance(a.app(), id), codec.encode(status));
        }
    }

    @Test
    void rollingDeployReplacesTheOldReleaseOnlyOnceTheNewOneIsHealthy() throws Exception {
        registerNode("node-1");
        send("POST", "/api/v1/apps", "{\"name\":\"hello\",\"hosts\":[\"hello.example.com\"],\"containerPort\":8080}");

        var first = json.readTree(send("POST", "/api/v1/apps/hello/deploys", "{\"image\":\"hello:1\",\"instances\":2}").body());
        await().atMost(Duration.ofSeconds(5)).until(() -> curator.checkExists().forPath(paths.assignmentsOf("node-1")) != null
                && curator.getChildren().forPath(paths.assignmentsOf("node-1")).size() == 2);
        Assignment assignment = codec.decode(curator.getData().forPath(paths.assignment("node-1",
                curator.getChildren().forPath(paths.assignmentsOf("node-1")).get(0))), Assignment.class);
        assertThat(assignment.image()).isEqualTo("registry.test:5000/hello@" + DIGEST);
        assertThat(assignment.containerPort()).isEqualTo(8080);
        assertThat(assignment.healthCheck().path()).isEqualTo("/healthz");
        AppRoute route = codec.decode(curator.getData().forPath(paths.route("hello")), AppRoute.class);
        assertThat(route.rules().get(0).hosts()).containsExactly("hello.example.com");

        reportAll("node-1", InstanceState.HEALTHY);
        assertThat(awaitDeploy("hello", first.path("id").asString()).path("status").asString()).isEqualTo("SUCCEEDED");
        var app = json.readTree(send("GET", "/api/v1/apps/hello", null).body());
        assertThat(app.path("release").path("number").asInt()).isEqualTo(1);

        // a second deploy whose instances never become healthy fails and leaves release 1 serving
        var second = json.readTree(send("POST", "/api/v1/apps/hello/deploys", "{\"image\":\"hello:2\",\"instances\":2}").body());
        await().atMost(Duration.ofSeconds(5)).until(() -> curator.getChildren().forPath(paths.assignmentsOf("node-1")).size() == 4);
        reportAll("node-1", InstanceState.STARTING);
        var failed = awaitDeploy("hello", second.path("id").asString());
        assertThat(failed.path("status").asString()).isEqualTo("FAILED");
        assertThat(failed.path("reason").asString()).contains("not healthy within");
        await().atMost(Duration.ofSeconds(5)).until(() -> curator.getChildren().forPath(paths.assignmentsOf("node-1")).size() == 2);
        var instances = json.readTree(send("GET", "/api/v1/apps/hello/instances", null).body());
        assertThat(instances.size()).isEqualTo(2);
        instances.forEach(i -> assertThat(i.path("releaseId").asString()).isEqualTo("hello-r1"));

        // a third, healthy, deploy replaces release 1: old instances drained, then removed
        var third = json.readTree(send("POST", "/api/v1/apps/hello/deploys", "{\"image\":\"hello:2\",\"instances\":2}").body());
        await().atMost(Duration.ofSeconds(5)).until(() -> curator.getChildren().forPath(paths.assignmentsOf("node-1")).size() == 4);
        reportAll("node-1", InstanceState.HEALTHY);
        assertThat(awaitDeploy("hello", third.path("id").asString()).path("status").asString()).isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(10)).until(() -> curator.getChildren().forPath(paths.assignmentsOf("node-1")).size() == 2);
        for (String id : curator.getChildren().forPath(paths.assignmentsOf("node-1"))) {
            assertThat(id).startsWith("hello-r3-");
        }
    }

    @Test
    void assignmentsLostFromZooKeeperAreRestoredFromSql() throws Exception {
        registerNode("node-s");
        send("POST", "/api/v1/apps", "{\"name\":\"sync\"}");
        var deploy = json.readTree(send("POST", "/api/v1/apps/sync/deploys", "{\"image\":\"hello:1\",\"instances\":1}").body());
        await().atMost(Duration.ofSeconds(5)).until(() -> curator.checkExists().forPath(paths.assignmentsOf("node-s")) != null
                && !curator.getChildren().forPath(paths.assignmentsOf("node-s")).isEmpty());
        reportAll("node-s", InstanceState.HEALTHY);
        awaitDeploy("sync", deploy.path("id").asString());
        String id = curator.getChildren().forPath(paths.assignmentsOf("node-s")).get(0);
        curator.delete().forPath(paths.assignment("node-s", id));
        curator.create().forPath(paths.assignment("node-s", "stray-1"), codec.encode(Map.of("app", "sync")));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                List.of(id).equals(curator.getChildren().forPath(paths.assignmentsOf("node-s"))));
    }
}
