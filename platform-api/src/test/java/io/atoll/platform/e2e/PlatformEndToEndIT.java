package io.atoll.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole platform on this machine, as script/server runs it: the four services as separate
 * processes from their jars, platform-api's in-process ZooKeeper, a real Docker engine, the demo
 * image pushed to Atoll's registry with the docker CLI, and HTTP through the gateway.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlatformEndToEndIT {

    static final String NODE = "e2e-node-" + ProcessHandle.current().pid();
    static final Pattern SERVED_BY = Pattern.compile("hello from (\\S+)");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String CI_PASSWORD = "ci-" + UUID.randomUUID();
    static final String DEPLOYER_PASSWORD = "deployer-" + UUID.randomUUID();

    static int zookeeperPort, apiPort, registryPort, agentPort, gatewayPort, gatewayManagementPort;
    static ServiceProcess platformApi, registry, agent, gateway;
    static final List<ServiceProcess> all = new ArrayList<>();

    @BeforeAll
    static void startPlatform() throws Exception {
        DockerCli.run("info", "--format", "{{.ServerVersion}}"); // no engine: fail here, loudly
        DockerCli.exec(List.of(Path.of("..", "demo", "build-images.sh").toString()));

        zookeeperPort = ServiceProcess.freePort();
        apiPort = ServiceProcess.freePort();
        registryPort = ServiceProcess.freePort();
        agentPort = ServiceProcess.freePort();
        gatewayPort = ServiceProcess.freePort();
        gatewayManagementPort = ServiceProcess.freePort();
        Path data = Files.createTempDirectory("atoll-e2e");
        DockerCli.configDir = Files.createDirectories(data.resolve("docker-config"));
        String zk = "--atoll.zookeeper.connect-string=127.0.0.1:" + zookeeperPort;
        String registryHost = "127.0.0.1:" + registryPort;
        BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);

        platformApi = new ServiceProcess("platform-api", "platform-api", apiPort, List.of(
                "--spring.profiles.active=dev",
                "--server.port=" + apiPort,
                "--atoll.platform.embedded-zookeeper.port=" + zookeeperPort,
                "--atoll.platform.embedded-zookeeper.data-dir=" + data.resolve("zookeeper"),
                "--atoll.platform.data-dir=" + data.resolve("platform"),
                "--atoll.platform.registry.url=http://127.0.0.1:" + registryPort,
                "--atoll.platform.registry.username=deployer",
                "--atoll.platform.registry.password=" + DEPLOYER_PASSWORD,
                "--atoll.platform.deploy.healthy-timeout=25s",
                "--atoll.platform.deploy.drain-timeout=10s")).start();
        all.add(platformApi);
        // Not dev: the registry requires logins, as in production. CI pushes, deploys pull.
        registry = new ServiceProcess("image-registry", "image-registry", registryPort, List.of(
                "--server.port=" + registryPort,
                "--atoll.registry.auth.users.ci.password-hash=" + bcrypt.encode(CI_PASSWORD),
                "--atoll.registry.auth.users.ci.push=hello",
                "--atoll.registry.auth.users.deployer.password-hash=" + bcrypt.encode(DEPLOYER_PASSWORD),
                "--atoll.registry.auth.users.deployer.pull=*",
                "--atoll.registry.storage.root=" + data.resolve("registry"))).start();
        all.add(registry);
        agentArgs = List.of(
                "--spring.profiles.active=dev", zk,
                "--server.port=" + agentPort,
                "--atoll.agent.node-id=" + NODE,
                "--atoll.agent.zone=zone-a",
                "--atoll.agent.drain-delay=1s",
                "--atoll.agent.registry-credentials[0].registry=" + registryHost,
                "--atoll.agent.registry-credentials[0].username=deployer",
                "--atoll.agent.registry-credentials[0].password=" + DEPLOYER_PASSWORD);
        agent = agentProcess().start();
        all.add(agent);
        gateway = new ServiceProcess("gateway", "gateway", gatewayManagementPort, List.of(
                "--spring.profiles.active=dev", zk,
                "--atoll.gateway.port=" + gatewayPort,
                "--server.port=" + gatewayManagementPort)).start();
        all.add(gateway);
        for (ServiceProcess service : all) {
            service.awaitUp(Duration.ofSeconds(120));
        }
    }

    static List<String> agentArgs;

    static ServiceProcess agentProcess() {
        return new ServiceProcess("node-agent", "node-agent", agentPort, agentArgs);
    }

    @AfterAll
    static void stopPlatform() throws Exception {
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).stop();
        }
        for (String id : DockerCli.lines("ps", "-aq", "--filter", "label=io.atoll.node=" + NODE)) {
            DockerCli.run("rm", "-f", id);
        }
    }

    static HttpResponse<String> api(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> viaGateway(String host) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/"))
                .header("Host", host)
                .timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static String servedBy(HttpResponse<String> response) {
        Matcher m = SERVED_BY.matcher(response.body());
        return m.find() ? m.group(1) : null;
    }

    static JsonNode deployAndWait(String app, String image, int instances) throws Exception {
        HttpResponse<String> accepted = api("POST", "/api/v1/apps/" + app + "/deploys",
                "{\"image\":\"" + image + "\",\"instances\":" + instances + "}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).path("id").asString();
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> JSON.readTree(api("GET", "/api/v1/apps/" + app + "/deploys/" + id, null).body()),
                        deploy -> deploy.path("status").asString().matches("SUCCEEDED|FAILED|ROLLED_BACK"));
    }

    static Map<String, String> containers() throws Exception {
        // instance id -> "container id|started at"
        var result = new java.util.TreeMap<String, String>();
        for (String id : DockerCli.lines("ps", "-q", "--filter", "label=io.atoll.node=" + NODE)) {
            String line;
            try {
                line = DockerCli.run("inspect", "--format",
                        "{{index .Config.Labels \"io.atoll.instance\"}} {{.Id}}|{{.State.StartedAt}}", id);
            } catch (IllegalStateException e) {
                if (e.getMessage().contains("No such object")) {
                    continue; // removed by its agent between ps and inspect: it is not running
                }
                throw e;
            }
            String[] parts = line.split(" ", 2);
            result.put(parts[0], parts[1]);
        }
        return result;
    }

    @Test
    @Order(1)
    void pushDeployAndServeFromBothInstances() throws Exception {
        // An image of its own (a layer with a random token), removed from the engine once pushed:
        // the agent then has to pull it from the registry, with its login.
        String image = "127.0.0.1:" + registryPort + "/hello:e2e";
        Path context = Files.createTempDirectory("atoll-e2e-image");
        Files.writeString(context.resolve("token"), UUID.randomUUID().toString());
        Files.writeString(context.resolve("Dockerfile"), "FROM atoll/hello:local\nCOPY token /token\n");
        DockerCli.run("build", "-q", "-t", image, context.toString());
        assertThatThrownBy(() -> DockerCli.run("push", image)).hasMessageContaining("no basic auth credentials");
        DockerCli.runWithInput(CI_PASSWORD, "login", "-u", "ci", "--password-stdin", "127.0.0.1:" + registryPort);
        DockerCli.run("push", image);
        DockerCli.run("rmi", image);

        HttpResponse<String> created = api("POST", "/api/v1/apps",
                "{\"name\":\"hello\",\"hosts\":[\"hello.example.test\"],\"containerPort\":8080,\"healthPath\":\"/healthz\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        JsonNode deploy = deployAndWait("hello", "hello:e2e", 2);
        assertThat(deploy.path("status").asString()).as(deploy.toString()).isEqualTo("SUCCEEDED");

        JsonNode instances = JSON.readTree(api("GET", "/api/v1/apps/hello/instances", null).body());
        assertThat(instances.size()).isEqualTo(2);
        Set<String> ids = new HashSet<>();
        instances.forEach(i -> {
            assertThat(i.path("state").asString()).isEqualTo("HEALTHY");
            ids.add(i.path("instanceId").asString());
        });

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 40 && seen.size() < 2; i++) {
            HttpResponse<String> response = viaGateway("hello.localhost");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            seen.add(servedBy(response));
        }
        assertThat(seen).isEqualTo(ids);
        assertThat(viaGateway("hello.example.test").statusCode()).isEqualTo(200);
        assertThat(containers()).containsOnlyKeys(ids);
    }

    @Test
    @Order(2)
    void unknownHostIsA404Problem() throws Exception {
        HttpResponse<String> response = viaGateway("nobody.localhost");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    @Order(3)
    void aKilledContainerIsRestartedAndServesAgain() throws Exception {
        Map<String, String> before = containers();
        String victimInstance = before.keySet().iterator().next();
        String victimContainer = before.get(victimInstance).split("\\|")[0];
        DockerCli.run("kill", victimContainer);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            Map<String, String> now = containers();
            return now.containsKey(victimInstance) && !now.get(victimInstance).equals(before.get(victimInstance));
        });
        // the gateway serves 200 again, from both instances
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> response = viaGateway("hello.localhost");
                if (response.statusCode() != 200) {
                    return false;
                }
                seen.add(servedBy(response));
            }
            return seen.equals(before.keySet());
        });
    }

    @Test
    @Order(4)
    void restartingTheAgentLeavesTheAppRunningAndServed() throws Exception {
        Map<String, String> before = containers();
        assertThat(before).hasSize(2);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread load = new Thread(() -> {
            while (!stop.get()) {
                try {
                    HttpResponse<String> response = viaGateway("hello.localhost");
                    if (response.statusCode() == 200) {
                        ok.incrementAndGet();
                    } else {
                        failures.add(response.statusCode() + " " + response.body());
                    }
                    Thread.sleep(20);
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
        load.start();
        try {
            agent.stop();
            Thread.sleep(2000);
            assertThat(containers()).isEqualTo(before);
            agent = agentProcess().start();
            all.add(agent);
            agent.awaitUp(Duration.ofSeconds(120));
            Thread.sleep(3000);
        } finally {
            stop.set(true);
            load.join();
        }
        assertThat(containers()).as("same containers, same start times").isEqualTo(before);
        assertThat(failures).as("requests failed while the agent restarted").isEmpty();
        assertThat(ok.get()).isGreaterThan(20);
        JsonNode instances = JSON.readTree(api("GET", "/api/v1/apps/hello/instances", null).body());
        instances.forEach(i -> assertThat(i.path("state").asString()).isEqualTo("HEALTHY"));
    }

    @Test
    @Order(5)
    void anAppWithNoHealthyInstanceIsA503AndItsDeployFailsWithAReason() throws Exception {
        api("POST", "/api/v1/apps", "{\"name\":\"broken\",\"containerPort\":8080,\"healthPath\":\"/missing\"}");
        JsonNode deploy = deployAndWait("broken", "hello:e2e", 1);
        // nothing served before it: the deploy fails (no rollback) with what the agent saw
        assertThat(deploy.path("status").asString()).isEqualTo("FAILED");
        assertThat(deploy.path("reason").asString()).contains("not ready within");
        HttpResponse<String> response = viaGateway("broken.localhost");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        // the failed deploy's container is gone; hello's two are untouched
        await().atMost(Duration.ofSeconds(30)).until(() -> containers().size() == 2);
    }
}
