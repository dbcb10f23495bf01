package io.atoll.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.crypto.KeySealer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole platform on this machine, as script/server runs it: platform-api (dev, with its
 * in-process ZooKeeper), image-registry (logins required, as in production), one node agent per
 * zone and the gateway, each a separate process from its jar, against the real Docker engine.
 * Shared by the end-to-end tests; {@link #close()} stops every process, removes every container
 * labelled with one of its nodes and the data directory, also when the start failed half-way.
 */
final class AtollPlatform implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** The demo app's answer: {@code hello from <instance> (app <app>, release <release>, zone <zone>)}. */
    static final Pattern HELLO = Pattern.compile("hello from (\\S+) \\(app \\S+, release (\\S+), zone (\\S+)\\)");

    final String ciPassword = "ci-" + UUID.randomUUID();
    final String deployerPassword = "deployer-" + UUID.randomUUID();
    /** build-service's registry login: pushes the apps it builds, and the base images under atoll/. */
    final String builderPassword = "builder-" + UUID.randomUUID();
    final int zookeeperPort;
    final int apiPort;
    final int registryPort;
    final int gatewayPort;
    final int gatewayManagementPort;
    final int gatewayTlsPort;
    /** Seals certificate keys in platform-api and opens them in the gateway, as in production. */
    final String certificateKey = KeySealer.generateKey();
    final Path data;
    final List<Agent> agents = new ArrayList<>();

    private final String name;
    private ServiceProcess platformApi;
    private ServiceProcess registry;
    private ServiceProcess gateway;
    private final List<String> agentArgs;

    /** One node agent: its node id, zone and port are its own; the Docker engine is everyone's. */
    final class Agent {
        final String nodeId;
        final String zone;
        final int port;
        ServiceProcess process;

        private Agent(String nodeId, String zone, int port) {
            this.nodeId = nodeId;
            this.zone = zone;
            this.port = port;
        }

        private ServiceProcess newProcess() {
            List<String> args = new ArrayList<>(List.of(
                    "--spring.profiles.active=dev",
                    "--atoll.zookeeper.connect-string=127.0.0.1:" + zookeeperPort,
                    "--server.port=" + port,
                    "--atoll.agent.node-id=" + nodeId,
                    "--atoll.agent.zone=" + zone,
                    // kept log lines of removed containers go with the platform's data
                    "--atoll.agent.logs.dir=" + data.resolve("agent-logs"),
                    "--atoll.agent.registry-credentials[0].registry=" + registryHost(),
                    "--atoll.agent.registry-credentials[0].username=deployer",
                    "--atoll.agent.registry-credentials[0].password=" + deployerPassword));
            args.addAll(agentArgs);
            String log = agents.size() == 1 ? "node-agent" : "node-agent-" + zone;
            return new ServiceProcess("node-agent", logName(log), port, args);
        }

        /** Starts a new agent process for this node (the first, or after a stop or kill) and waits until it answers. */
        Agent start() throws Exception {
            process = newProcess().start();
            process.awaitUp(Duration.ofSeconds(120));
            return this;
        }

        void stop() throws InterruptedException {
            process.stop();
        }

        void kill() throws InterruptedException {
            process.kill();
        }

        /** This node's running containers: instance id → "container id|started at". */
        Map<String, String> containers() throws Exception {
            return AtollPlatform.containers("label=io.atoll.node=" + nodeId);
        }

        /** Every container labelled with this node, running or not. */
        List<String> allContainerIds() throws Exception {
            return DockerCli.lines("ps", "-aq", "--filter", "label=io.atoll.node=" + nodeId);
        }
    }

    private AtollPlatform(String name, List<String> zones, List<String> agentArgs) throws Exception {
        this.name = name;
        this.agentArgs = List.copyOf(agentArgs);
        zookeeperPort = ServiceProcess.freePort();
        apiPort = ServiceProcess.freePort();
        registryPort = ServiceProcess.freePort();
        gatewayPort = ServiceProcess.freePort();
        gatewayManagementPort = ServiceProcess.freePort();
        gatewayTlsPort = ServiceProcess.freePort();
        data = Files.createTempDirectory("atoll-" + name);
        for (String zone : zones) {
            String nodeId = zones.size() == 1 ? name + "-node-" + ProcessHandle.current().pid()
                    : name + "-" + ProcessHandle.current().pid() + "-" + zone;
            agents.add(new Agent(nodeId, zone, ServiceProcess.freePort()));
        }
    }

    /**
     * Starts everything and waits until each service answers its health endpoint.
     *
     * @param name prefixes node ids and names the log directory ({@code platform-api/target/e2e-logs})
     * @param zones one agent per entry, in that zone
     * @param platformApiArgs added to platform-api's command line (they win over the defaults here)
     * @param agentArgs added to every agent's command line
     */
    static AtollPlatform start(String name, List<String> zones, List<String> platformApiArgs, List<String> agentArgs)
            throws Exception {
        DockerCli.run("info", "--format", "{{.ServerVersion}}"); // no engine: fail here, loudly
        DockerCli.exec(List.of(Path.of("..", "demo", "build-images.sh").toString()));
        AtollPlatform platform = new AtollPlatform(name, zones, agentArgs);
        try {
            platform.startAll(platformApiArgs);
            return platform;
        } catch (Exception | Error e) {
            platform.close();
            throw e;
        }
    }

    private void startAll(List<String> platformApiArgs) throws Exception {
        DockerCli.configDir = Files.createDirectories(data.resolve("docker-config"));
        BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);
        List<String> apiArgs = new ArrayList<>(List.of(
                "--spring.profiles.active=dev",
                "--server.port=" + apiPort,
                "--atoll.platform.embedded-zookeeper.port=" + zookeeperPort,
                "--atoll.platform.embedded-zookeeper.data-dir=" + data.resolve("zookeeper"),
                "--atoll.platform.data-dir=" + data.resolve("platform"),
                "--atoll.platform.registry.url=http://" + registryHost(),
                "--atoll.platform.registry.username=deployer",
                "--atoll.platform.registry.password=" + deployerPassword,
                "--atoll.platform.certificates.encryption-key=" + certificateKey));
        apiArgs.addAll(platformApiArgs);
        platformApi = new ServiceProcess("platform-api", logName("platform-api"), apiPort, apiArgs).start();
        // Not dev: the registry requires logins, as in production. CI pushes, deploys pull.
        registry = new ServiceProcess("image-registry", logName("image-registry"), registryPort, List.of(
                "--server.port=" + registryPort,
                // Its start-up warm-up would take both cores for up to 15 s while the other services start;
                // RegistryWarmupTest covers it.
                "--atoll.registry.warmup.enabled=false",
                // only to register for the dashboard
                "--atoll.zookeeper.connect-string=127.0.0.1:" + zookeeperPort,
                "--atoll.registry.auth.users.ci.password-hash=" + bcrypt.encode(ciPassword),
                "--atoll.registry.auth.users.ci.push=hello",
                "--atoll.registry.auth.users.deployer.password-hash=" + bcrypt.encode(deployerPassword),
                "--atoll.registry.auth.users.deployer.pull=*",
                "--atoll.registry.auth.users.builder.password-hash=" + bcrypt.encode(builderPassword),
                "--atoll.registry.auth.users.builder.push=java-hello,atoll",
                "--atoll.registry.storage.root=" + data.resolve("registry"))).start();
        for (Agent agent : agents) {
            agent.process = agent.newProcess().start();
        }
        gateway = new ServiceProcess("gateway", logName("gateway"), gatewayManagementPort, List.of(
                "--spring.profiles.active=dev",
                "--atoll.zookeeper.connect-string=127.0.0.1:" + zookeeperPort,
                "--atoll.gateway.port=" + gatewayPort,
                "--server.port=" + gatewayManagementPort,
                "--atoll.gateway.tls.port=" + gatewayTlsPort,
                "--atoll.gateway.tls.encryption-key=" + certificateKey,
                // its start-up warm-up (20 s of load on both cores) would only slow the other
                // services' start here; GatewayWarmupTest tests it
                "--atoll.gateway.warmup.enabled=false",
                // its own: a snapshot left by an earlier run would route to that run's ports
                "--atoll.gateway.snapshot-file=" + data.resolve("gateway").resolve("routing-snapshot.json"))).start();
        for (ServiceProcess service : List.of(platformApi, registry, gateway)) {
            service.awaitUp(Duration.ofSeconds(120));
        }
        for (Agent agent : agents) {
            agent.process.awaitUp(Duration.ofSeconds(120));
        }
        // Up is not yet routing: the gateway serves once it has read ZooKeeper (a first session can take seconds here).
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> routing("").path("table").path("synced").asBoolean());
        // Up is not yet placeable either: an agent that started before platform-api's ZooKeeper
        // listened registers only when its client's backoff next tries (seconds later), and a
        // deploy meanwhile would place its share on the others.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> {
                    java.util.Set<String> registered = new java.util.HashSet<>();
                    apiJson("/api/v1/nodes").forEach(view -> registered.add(view.path("node").path("nodeId").asString()));
                    return agents.stream().allMatch(agent -> registered.contains(agent.nodeId));
                });
    }

    long gatewayPid() {
        return gateway.pid();
    }

    String logName(String service) {
        return name.equals("e2e") ? service : name + "/" + service;
    }

    String registryHost() {
        return "127.0.0.1:" + registryPort;
    }

    /** {@code docker login} as the CI user, who may push to {@code hello}. */
    void loginAsCi() throws Exception {
        DockerCli.runWithInput(ciPassword, "login", "-u", "ci", "--password-stdin", registryHost());
    }

    /**
     * Builds an image of its own from {@code dockerfile} (plus a layer with a random token, so no
     * two are the same image), pushes it to Atoll's registry as {@code repository:tag} and removes
     * it from the engine: the agents then have to pull it, with their login.
     */
    String buildAndPush(String repositoryAndTag, String dockerfile) throws Exception {
        String image = registryHost() + "/" + repositoryAndTag;
        Path context = Files.createTempDirectory(data, "image");
        Files.writeString(context.resolve("token"), UUID.randomUUID().toString());
        Files.writeString(context.resolve("Dockerfile"), dockerfile + "\nCOPY token /token\n");
        DockerCli.run("build", "-q", "-t", image, context.toString());
        DockerCli.run("push", image);
        DockerCli.run("rmi", image);
        return repositoryAndTag;
    }

    HttpResponse<String> api(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode apiJson(String path) throws Exception {
        HttpResponse<String> response = api("GET", path, null);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    HttpResponse<String> viaGateway(String host) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/"))
                .header("Host", host)
                .timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Where the gateway would send a request for {@code host} now ({@code /actuator/routing}). */
    JsonNode routing(String host) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + gatewayManagementPort + "/actuator/routing?host=" + URLEncoder.encode(host, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    static String servedBy(HttpResponse<String> response) {
        Matcher m = HELLO.matcher(response.body());
        return m.find() ? m.group(1) : null;
    }

    /** Starts a deploy; @return its id. */
    String startDeploy(String app, String body) throws Exception {
        HttpResponse<String> accepted = api("POST", "/api/v1/apps/" + app + "/deploys", body);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return JSON.readTree(accepted.body()).path("id").asString();
    }

    /** The deploy once it ended: SUCCEEDED, FAILED or ROLLED_BACK. */
    JsonNode awaitDeploy(String app, String id, Duration atMost) {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(200))
                .until(() -> JSON.readTree(api("GET", "/api/v1/apps/" + app + "/deploys/" + id, null).body()),
                        deploy -> deploy.path("status").asString().matches("SUCCEEDED|FAILED|ROLLED_BACK"));
    }

    JsonNode deployAndWait(String app, String image, int instances) throws Exception {
        String id = startDeploy(app, "{\"image\":\"" + image + "\",\"instances\":" + instances + "}");
        return awaitDeploy(app, id, Duration.ofSeconds(90));
    }

    /** Every running container of this platform's nodes: instance id → "container id|started at". */
    Map<String, String> containers() throws Exception {
        Map<String, String> all = new TreeMap<>();
        for (Agent agent : agents) {
            all.putAll(agent.containers());
        }
        return all;
    }

    /** Running containers matching a {@code docker ps} filter: instance id → "container id|started at". */
    static Map<String, String> containers(String filter) throws Exception {
        Map<String, String> result = new TreeMap<>();
        for (String id : DockerCli.lines("ps", "-q", "--filter", filter)) {
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

    /** Stops what started, the reverse way (platform-api, with ZooKeeper, last), and removes the nodes' containers. */
    @Override
    public void close() throws Exception {
        List<ServiceProcess> stopping = new ArrayList<>();
        stopping.add(gateway);
        agents.forEach(agent -> stopping.add(agent.process));
        stopping.add(registry);
        stopping.add(platformApi);
        for (ServiceProcess service : stopping) {
            if (service != null) {
                service.stop();
            }
        }
        for (Agent agent : agents) {
            for (String id : agent.allContainerIds()) {
                DockerCli.run("rm", "-f", id);
            }
        }
        // the services' logs stay in platform-api/target/e2e-logs
        try (var paths = Files.walk(data)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
