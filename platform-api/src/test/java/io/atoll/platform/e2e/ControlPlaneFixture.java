package io.atoll.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.json.JsonCodec;
import io.atoll.model.Assignment;
import io.atoll.model.InstanceStatus;
import io.atoll.zk.ZkPaths;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.mock.env.MockEnvironment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the control-plane failover tests run against: ZooKeeper in the test's own JVM (platform-api's
 * {@code dev} profile would run it inside the process the test kills), Atoll's registry holding two
 * releases of the demo app, and per test a {@link Site}: a ZooKeeper root of its own with one node
 * agent, an H2 file database that outlives {@code kill -9} (shared between processes with
 * {@code AUTO_SERVER}) and platform-api replicas on both.
 */
final class ControlPlaneFixture implements AutoCloseable {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** platform-api's default (AtollZookeeperProperties), passed explicitly so the figure the test checks is visible. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(15);

    final Path data;
    final TestingServer zookeeper;
    final CuratorFramework client;
    final ServiceProcess registry;
    final int registryPort;
    private final List<Site> sites = new ArrayList<>();

    ControlPlaneFixture() throws Exception {
        DockerCli.run("info", "--format", "{{.ServerVersion}}"); // no engine: fail here, loudly
        DockerCli.exec(List.of(Path.of("..", "demo", "build-images.sh").toString()));
        data = Files.createTempDirectory("atoll-failover");
        DockerCli.configDir = Files.createDirectories(data.resolve("docker-config"));
        // tickTime 1 s: sessions of 2-20 s are granted as asked, and expire within a tick of their timeout.
        zookeeper = new TestingServer(new InstanceSpec(Files.createDirectories(data.resolve("zookeeper")).toFile(),
                -1, -1, -1, true, -1, 1000, -1), true);
        client = CuratorFrameworkFactory.newClient(zookeeper.getConnectString(), new RetryOneTime(200));
        client.start();
        registryPort = ServiceProcess.freePort();
        registry = new ServiceProcess("image-registry", "failover/image-registry", registryPort, List.of(
                "--spring.profiles.active=dev", // anonymous push and pull
                "--server.port=" + registryPort,
                "--atoll.registry.storage.root=" + data.resolve("registry"))).start();
        registry.awaitUp(Duration.ofSeconds(120));
    }

    /** Pushes a release of the demo app of its own (a layer with a random token) as {@code failover:tag}. */
    String push(String tag) throws Exception {
        String image = "127.0.0.1:" + registryPort + "/failover:" + tag;
        Path context = Files.createTempDirectory(data, "image");
        Files.writeString(context.resolve("token"), UUID.randomUUID().toString());
        Files.writeString(context.resolve("Dockerfile"), "FROM atoll/hello:local\nCOPY token /token\n");
        DockerCli.run("build", "-q", "-t", image, context.toString());
        DockerCli.run("push", image);
        DockerCli.run("rmi", image); // the agent pulls it
        return "failover:" + tag; // no registry named: Atoll's
    }

    /** @param agentArgs more arguments for the site's node agent */
    Site site(String name, String... agentArgs) throws Exception {
        Site site = new Site(name, List.of(agentArgs));
        sites.add(site);
        return site;
    }

    @Override
    public void close() throws Exception {
        for (Site site : sites) {
            site.close();
        }
        registry.stop();
        // what the agents pulled, by digest, from this run's registry
        for (String id : DockerCli.lines("images", "-q", "--filter", "reference=127.0.0.1:" + registryPort + "/*")) {
            try {
                DockerCli.run("rmi", "-f", id);
            } catch (IllegalStateException e) {
                // already gone (two references to one image)
            }
        }
        client.close();
        zookeeper.close();
        try (var paths = Files.walk(data)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** A ZooKeeper root with its node agent, a database, and the platform-api replicas on them. */
    final class Site implements AutoCloseable {

        final String root;
        final String nodeId;
        final ZkPaths paths;
        final ServiceProcess agent;
        final Path database;
        final List<Replica> replicas = new ArrayList<>();

        private Site(String name, List<String> agentArgs) throws Exception {
            root = "/" + name;
            nodeId = "failover-" + name + "-" + ProcessHandle.current().pid();
            paths = new ZkPaths(root);
            database = Files.createDirectories(data.resolve(name).resolve("platform"));
            int agentPort = ServiceProcess.freePort();
            List<String> args = new ArrayList<>(List.of(
                    "--spring.profiles.active=dev",
                    "--atoll.zookeeper.connect-string=" + zookeeper.getConnectString(),
                    "--atoll.zookeeper.root=" + root,
                    "--server.port=" + agentPort,
                    "--atoll.agent.node-id=" + nodeId,
                    "--atoll.agent.zone=zone-a",
                    "--atoll.agent.drain-delay=1s",
                    "--atoll.agent.stop-grace=2s",
                    "--atoll.agent.images.dir=" + data.resolve(name).resolve("images")));
            args.addAll(agentArgs);
            agent = new ServiceProcess("node-agent", "failover/" + name + "-node-agent", agentPort, args).start();
        }

        /** Starts a replica without waiting for it ({@link #awaitUp} waits for every one started so far). */
        Replica replica(String label) throws IOException {
            Replica replica = new Replica(this, "failover/" + root.substring(1) + "-platform-api-" + label);
            replicas.add(replica);
            replica.process.start();
            return replica;
        }

        void awaitUp() throws Exception {
            agent.awaitUp(Duration.ofSeconds(120));
            for (Replica replica : replicas) {
                replica.process.awaitUp(Duration.ofSeconds(120));
            }
        }

        /** Every container the node's agent made for the app, running or not: instance id → release id. */
        Map<String, String> containers(String app) throws Exception {
            Map<String, String> found = new TreeMap<>();
            for (String line : DockerCli.lines("ps", "-a", "--filter", "label=io.atoll.node=" + nodeId,
                    "--filter", "label=io.atoll.app=" + app,
                    "--format", "{{.Label \"io.atoll.instance\"}} {{.Label \"io.atoll.release\"}}")) {
                String[] parts = line.split(" ", 2);
                assertThat(found.put(parts[0], parts[1])).as("two containers for instance " + parts[0]).isNull();
            }
            return found;
        }

        /** The app's assignments on the node in ZooKeeper: instance id → assignment. */
        Map<String, Assignment> assignments(String app) throws Exception {
            Map<String, Assignment> found = new TreeMap<>();
            List<String> ids;
            try {
                ids = client.getChildren().forPath(paths.assignmentsOf(nodeId));
            } catch (KeeperException.NoNodeException e) {
                return found;
            }
            for (String id : ids) {
                try {
                    Assignment assignment = JsonCodec.shared().decode(
                            client.getData().forPath(paths.assignment(nodeId, id)), Assignment.class);
                    if (assignment.app().equals(app)) {
                        found.put(id, assignment);
                    }
                } catch (KeeperException.NoNodeException e) {
                    // deleted between the listing and the read
                }
            }
            return found;
        }

        /** Samples, every 50 ms until closed, how many of the app's instances the agent reports HEALTHY. */
        HealthyWatch watchHealthy(String app) {
            return new HealthyWatch(this, app);
        }

        /** Instance ids the agent publishes for the app. */
        List<String> published(String app) throws Exception {
            try {
                return client.getChildren().forPath(paths.instancesOf(app)).stream().sorted().toList();
            } catch (KeeperException.NoNodeException e) {
                return List.of();
            }
        }

        /**
         * The end state the acceptance asks for: the API's desired instances (none draining), the
         * assignments in ZooKeeper, the instances the agent publishes and the containers in Docker
         * are one and the same set, of the expected size and release, all HEALTHY. Holds it for a
         * few seconds so that a late duplicate or a leftover drain would show.
         */
        Map<String, String> awaitExactly(Replica via, String app, int count, String releaseId) throws Exception {
            Map<String, String> settled = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> agreement(via, app, releaseId), found -> found != null && found.size() == count);
            for (int i = 0; i < 6; i++) {
                Thread.sleep(500);
                assertThat(agreement(via, app, releaseId)).as("the end state held").isEqualTo(settled);
            }
            return settled;
        }

        /** Instance id → state when every view agrees and every instance is of the release; null otherwise. */
        private Map<String, String> agreement(Replica via, String app, String releaseId) throws Exception {
            Map<String, String> desired = new TreeMap<>();
            for (JsonNode instance : JSON.readTree(via.api("GET", "/api/v1/apps/" + app + "/instances", null).body())) {
                if (instance.path("draining").asBoolean() || !instance.path("releaseId").asString().equals(releaseId)) {
                    return null;
                }
                desired.put(instance.path("instanceId").asString(), instance.path("state").asString());
            }
            Map<String, Assignment> assigned = assignments(app);
            if (assigned.values().stream().anyMatch(Assignment::draining)) {
                return null;
            }
            Map<String, String> containers = containers(app);
            boolean same = desired.keySet().equals(assigned.keySet())
                    && desired.keySet().equals(containers.keySet())
                    && List.copyOf(desired.keySet()).equals(published(app))
                    && desired.values().stream().allMatch("HEALTHY"::equals);
            return same ? desired : null;
        }

        @Override
        public void close() throws Exception {
            for (Replica replica : replicas) {
                replica.process.stop();
            }
            agent.stop();
            // The agent leaves its containers running when it stops (labels are its memory): remove them.
            for (String id : DockerCli.lines("ps", "-aq", "--filter", "label=io.atoll.node=" + nodeId)) {
                DockerCli.run("rm", "-f", id);
            }
        }
    }

    /** The fewest HEALTHY instances an app had while watched, and when. */
    final class HealthyWatch implements AutoCloseable {

        private final Thread thread;
        private volatile boolean stop;
        private volatile int min = Integer.MAX_VALUE;
        private volatile String atMin = "";

        private HealthyWatch(Site site, String app) {
            thread = new Thread(() -> {
                while (!stop) {
                    try {
                        List<String> states = new ArrayList<>();
                        for (String id : site.published(app)) {
                            try {
                                states.add(id + " " + JsonCodec.shared().decode(client.getData()
                                        .forPath(site.paths.instance(app, id)), InstanceStatus.class).state());
                            } catch (KeeperException.NoNodeException e) {
                                // gone between the listing and the read
                            }
                        }
                        int healthy = (int) states.stream().filter(state -> state.endsWith(" HEALTHY")).count();
                        if (healthy < min) {
                            min = healthy;
                            atMin = java.time.Instant.now() + " " + states;
                        }
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // ZooKeeper hiccup: sample again
                    }
                }
            }, "healthy-watch-" + app);
            thread.setDaemon(true);
            thread.start();
        }

        int min() {
            return min;
        }

        String atMin() {
            return atMin;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(5000);
        }
    }

    /** One platform-api process on a site's ZooKeeper root and database. */
    final class Replica {

        final String name;
        final int port;
        final ServiceProcess process;

        private Replica(Site site, String name) throws IOException {
            this.name = name;
            this.port = ServiceProcess.freePort();
            this.process = new ServiceProcess("platform-api", name, port, List.of(
                    "--spring.profiles.active=dev", // anonymous writes; no embedded ZooKeeper, a connect string is given
                    "--server.port=" + port,
                    "--atoll.zookeeper.connect-string=" + zookeeper.getConnectString(),
                    "--atoll.zookeeper.root=" + site.root,
                    "--atoll.zookeeper.session-timeout=" + SESSION_TIMEOUT.toSeconds() + "s",
                    "--atoll.platform.data-dir=" + site.database,
                    "--spring.datasource.url=" + sharedDatabaseUrl(site.database),
                    "--atoll.platform.registry.url=http://127.0.0.1:" + registryPort,
                    "--atoll.platform.deploy.drain-timeout=20s"));
        }

        HttpResponse<String> api(String method, String path, String body) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(10))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }

        /** What the replica's {@code leadership} health component says; null while it does not answer. */
        Boolean leads() {
            try {
                JsonNode health = JSON.readTree(api("GET", "/actuator/health", null).body());
                JsonNode leadership = health.path("components").path("leadership").path("details");
                return leadership.has("leader") ? leadership.path("leader").asBoolean() : null;
            } catch (Exception e) {
                return null;
            }
        }

        JsonNode deploy(String app, String id) throws Exception {
            HttpResponse<String> response = api("GET", "/api/v1/apps/" + app + "/deploys/" + id, null);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        }

        String startDeploy(String app, String body) throws Exception {
            HttpResponse<String> accepted = api("POST", "/api/v1/apps/" + app + "/deploys", body);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            return JSON.readTree(accepted.body()).path("id").asString();
        }

        JsonNode awaitFinished(String app, String id, Duration atMost) {
            return await().atMost(atMost).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> deploy(app, id), ControlPlaneFixture::finished);
        }

        void createApp(String name) throws Exception {
            HttpResponse<String> created = api("POST", "/api/v1/apps",
                    "{\"name\":\"" + name + "\",\"containerPort\":8080,\"healthPath\":\"/healthz\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }

        @Override
        public String toString() {
            return name + " (port " + port + ")";
        }
    }

    /**
     * The database URL platform-api ships with (application.yml), for this directory, opened with
     * {@code AUTO_SERVER}: the first process serves the file to the others over TCP, and when it
     * dies the next connection opens the file itself.
     */
    static String sharedDatabaseUrl(Path directory) {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application.yml"));
        String url = yaml.getObject().getProperty("spring.datasource.url");
        return new MockEnvironment().withProperty("atoll.platform.data-dir", directory.toString())
                .resolveRequiredPlaceholders(url) + ";AUTO_SERVER=TRUE";
    }

    static boolean finished(JsonNode deploy) {
        return deploy.path("status").asString().matches("SUCCEEDED|FAILED|ROLLED_BACK");
    }

    /** Events of one kind, as {@code kind: message} lines in order. */
    static List<String> events(JsonNode deploy) {
        List<String> lines = new ArrayList<>();
        deploy.path("events").forEach(e -> lines.add(e.path("kind").asString() + ": " + e.path("message").asString()));
        return lines;
    }

    /** Instance ids the deploy's "placed" events name ({@code id on node, id on node}). */
    static List<String> placed(JsonNode deploy) {
        List<String> ids = new ArrayList<>();
        deploy.path("events").forEach(e -> {
            if (e.path("kind").asString().equals("placed")) {
                for (String part : e.path("message").asString().split(", ")) {
                    ids.add(part.split(" on ", 2)[0]);
                }
            }
        });
        return ids;
    }
}
