package io.atoll.build.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import io.atoll.testing.DockerBridge;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/**
 * The warm builders' lifecycle on the real engine, with the real builder image
 * ({@code atoll/builder-java:local}, script/lib/images.sh) and its warm Maven: no Maven project
 * needs to build here, since a pom that does not parse ends a build at once (exit 1) and one whose
 * parent comes from a repository that never answers keeps a build running as long as a test needs. SourceBuildTest builds real
 * projects in them.
 */
class WarmBuildersTest {

    private static final String IMAGE = "atoll/builder-java:local";
    private static final List<String> PACKAGE = List.of("-B", "-ntp", "package");

    @TempDir
    Path dir;
    private final String owner = UUID.randomUUID().toString();
    private final MovableClock clock = new MovableClock();
    private DockerClient docker;
    private WarmBuilders warm;
    private Path cache;
    private ServerSocket silent;
    private final List<Socket> held = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws IOException {
        warm = warmBuilders(Duration.ofMinutes(5), 2, "bridge");
        cache = Files.createDirectories(dir.resolve("cache"));
    }

    private WarmBuilders warmBuilders(Duration timeout, int max, String network) {
        BuilderProperties properties = new BuilderProperties(URI.create("unix:///var/run/docker.sock"), IMAGE, network,
                DataSize.ofMegabytes(512), 1.0, timeout, 4096, "", "", "-XX:TieredStopAtLevel=1",
                "atoll/base-java:17", "atoll/base-static:1", "atoll/base-java:17",
                new BuilderProperties.Warm(true, max, Duration.ofMinutes(15), 3, Duration.ofSeconds(60),
                        Duration.ofHours(1)));
        if (docker == null) {
            docker = new ContainerConfiguration().builderDocker(properties);
        }
        WarmBuilders builders = new WarmBuilders(docker, properties, owner, dir.resolve("warm"), clock);
        builders.start();
        return builders;
    }

    @AfterEach
    void stop() throws IOException {
        if (silent != null) {
            silent.close();
            for (Socket socket : held) {
                socket.close();
            }
        }
        warm.stop();
        for (var container : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(BuilderContainers.OWNER, owner)).exec()) {
            docker.removeContainerCmd(container.getId()).withForce(true).exec();
        }
        docker.close();
    }

    @Test
    void anAppsBuildsShareOneIsolatedWarmContainerThatNoOtherAppSees() throws Exception {
        List<String> first = new ArrayList<>();
        assertThat(build("alpha", "<project>", first)).hasValueSatisfying(o -> assertThat(o.exitCode()).isEqualTo(1));
        assertThat(first).anyMatch(line -> line.contains("Non-readable POM"));
        String alpha = container("alpha");

        List<String> second = new ArrayList<>();
        assertThat(build("alpha", "<project>", second)).hasValueSatisfying(o -> assertThat(o.exitCode()).isEqualTo(1));
        assertThat(container("alpha")).as("the same warm container").isEqualTo(alpha);
        assertThat(second).noneMatch(line -> line.contains("starting the app's warm builder"));

        build("beta", "<project>", new ArrayList<>());
        assertThat(container("beta")).isNotEqualTo(alpha);
        assertThat(warm.warmApps()).containsExactlyInAnyOrder("alpha", "beta");

        InspectContainerResponse inspected = docker.inspectContainerCmd(alpha).exec();
        assertThat(inspected.getHostConfig().getCapDrop()).containsExactly(Capability.ALL);
        assertThat(inspected.getHostConfig().getReadonlyRootfs()).isTrue();
        assertThat(inspected.getHostConfig().getNetworkMode()).isEqualTo("bridge");
        assertThat(inspected.getHostConfig().getMemory()).isEqualTo(512L * 1024 * 1024);
        // the app's own directory and cache, nothing of beta's
        assertThat(inspected.getMounts()).extracting(m -> m.getSource())
                .containsExactlyInAnyOrder(dir.resolve("warm/alpha").toString(), cache.resolve("alpha").toString());
    }

    @Test
    void theWarmMavenForgetsABuildsSystemPropertiesBeforeTheNext() throws Exception {
        // Maven makes each -D (from .mvn/maven.config too) a system property of its JVM. Here one
        // activates a profile that names a missing module, which fails the build; the app's next
        // build, without it, must not see it
        String pom = """
                <project><modelVersion>4.0.0</modelVersion><groupId>t</groupId><artifactId>t</artifactId>
                <version>1</version><packaging>pom</packaging><profiles><profile><id>leak</id>
                <activation><property><name>atoll.leak</name></property></activation>
                <modules><module>missing</module></modules></profile></profiles></project>""";
        Path withConfig = workspace("alpha", pom);
        Files.createDirectories(withConfig.resolve(".mvn"));
        Files.writeString(withConfig.resolve(".mvn/maven.config"), "-Datoll.leak=yes\n");
        List<String> lines = new ArrayList<>();
        assertThat(warm.run("alpha", withConfig, appCache("alpha"), Map.of(), List.of("-B", "validate"), lines::add))
                .hasValueSatisfying(o -> assertThat(o.exitCode()).as(String.join("\n", lines)).isEqualTo(1));
        assertThat(lines).anyMatch(line -> line.contains("missing"));

        List<String> next = new ArrayList<>();
        assertThat(warm.run("alpha", workspace("alpha", pom), appCache("alpha"), Map.of(), List.of("-B", "validate"),
                next::add)).hasValueSatisfying(o -> assertThat(o.exitCode()).as(String.join("\n", next)).isZero());
        assertThat(next).anyMatch(line -> line.contains("BUILD SUCCESS"));
    }

    @Test
    void anIdleWarmContainerAndStrayOnesAreRemovedByTheSweepAndAllWhenItStops() throws Exception {
        build("alpha", "<project>", new ArrayList<>());
        String alpha = container("alpha");
        String stray = docker.createContainerCmd(IMAGE).withEntrypoint("sleep", "600")
                .withLabels(Map.of(BuilderContainers.OWNER, owner, WarmBuilders.WARM, "gone")).exec().getId();
        String someoneElses = docker.createContainerCmd(IMAGE).withEntrypoint("sleep", "600")
                .withLabels(Map.of(BuilderContainers.OWNER, UUID.randomUUID().toString(), WarmBuilders.WARM, "x"))
                .exec().getId();
        try {
            warm.sweep();
            assertThat(exists(stray)).as("a warm container this build-service does not keep").isFalse();
            assertThat(exists(alpha)).as("in use 0 s ago").isTrue();
            assertThat(exists(someoneElses)).as("another build-service's").isTrue();

            clock.move(Duration.ofMinutes(16));
            warm.sweep();
            assertThat(exists(alpha)).as("idle 16 min > idle-timeout").isFalse();
            assertThat(warm.warmApps()).isEmpty();

            build("alpha", "<project>", new ArrayList<>());
            String again = container("alpha");
            warm.stop();
            assertThat(exists(again)).as("removed as build-service stops").isFalse();
        } finally {
            docker.removeContainerCmd(someoneElses).withForce(true).exec();
        }
    }

    @Test
    void withoutANetworkTheWarmBuilderHasNone() throws Exception {
        warm.stop();
        warm = warmBuilders(Duration.ofMinutes(1), 2, "none");
        build("alpha", "<project>", new ArrayList<>());
        assertThat(docker.inspectContainerCmd(container("alpha")).exec().getHostConfig().getNetworkMode()).isEqualTo("none");
    }

    @Test
    void theLeastRecentlyUsedGoesPastMaxAndAContainerIsReplacedAfterItsBuilds() throws Exception {
        build("alpha", "<project>", new ArrayList<>());
        clock.move(Duration.ofSeconds(1));
        build("beta", "<project>", new ArrayList<>());
        clock.move(Duration.ofSeconds(1));
        build("gamma", "<project>", new ArrayList<>());
        assertThat(warm.warmApps()).containsExactlyInAnyOrder("beta", "gamma");

        String beta = container("beta");
        build("beta", "<project>", new ArrayList<>());
        build("beta", "<project>", new ArrayList<>());
        // builds-per-container 3: the third build was its last
        assertThat(exists(beta)).isFalse();
        assertThat(warm.warmApps()).containsExactly("gamma");
    }

    @Test
    void aCancelledBuildRemovesItsWarmContainer() throws Exception {
        build("alpha", "<project>", new ArrayList<>());
        String alpha = container("alpha");
        Path hanging = hangingWorkspace("alpha");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread builder = new Thread(() -> {
            try {
                warm.run("alpha", hanging, appCache("alpha"), Map.of(), PACKAGE, lines::add);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        builder.start();
        awaitLine(lines, "Scanning for projects");
        Thread.sleep(500);
        assertThat(builder.isAlive()).as("still waiting for its parent: " + lines).isTrue();
        builder.interrupt();
        builder.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(exists(alpha)).isFalse();
        assertThat(warm.warmApps()).isEmpty();
    }

    @Test
    void aBuildPastTheTimeoutEndsTimedOutAndItsContainerGoes() throws Exception {
        warm.stop();
        warm = warmBuilders(Duration.ofSeconds(3), 2, "bridge");
        build("alpha", "<project>", new ArrayList<>());
        String alpha = container("alpha");
        long started = System.nanoTime();
        List<String> lines = new ArrayList<>();
        Optional<BuilderContainers.Outcome> outcome = warm.run("alpha", hangingWorkspace("alpha"), appCache("alpha"),
                Map.of(), PACKAGE, lines::add);
        assertThat(outcome).hasValueSatisfying(o -> assertThat(o.timedOut()).as(o + " " + lines).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(exists(alpha)).isFalse();
    }

    @Test
    void aBuilderImageWithoutAWarmMavenLeavesTheBuildToAFreshContainer() throws Exception {
        warm.stop();
        BuilderProperties properties = new BuilderProperties(URI.create("unix:///var/run/docker.sock"),
                "atoll/busybox:local", "none", DataSize.ofMegabytes(512), 1.0, Duration.ofMinutes(1), 4096, "", "", "",
                "atoll/base-java:17", "atoll/base-static:1", "atoll/base-java:17",
                new BuilderProperties.Warm(true, 2, Duration.ofMinutes(15), 3, Duration.ofSeconds(10), Duration.ofHours(1)));
        warm = new WarmBuilders(docker, properties, owner, dir.resolve("warm"), clock);
        warm.start();
        List<String> lines = new ArrayList<>();
        assertThat(build("alpha", "<project>", lines)).as("build it cold instead").isEmpty();
        assertThat(lines).anyMatch(line -> line.startsWith("[atoll] the app's warm builder did not start"));
        assertThat(docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(BuilderContainers.OWNER, owner)).exec()).isEmpty();
        assertThat(warm.warmApps()).isEmpty();
    }

    private Optional<BuilderContainers.Outcome> build(String app, String pom, List<String> lines) throws Exception {
        return warm.run(app, workspace(app, pom), appCache(app), Map.of(), PACKAGE, lines::add);
    }

    private Path workspace(String app, String pom) throws IOException {
        Path workspace = Files.createDirectory(warm.workspace(app, UUID.randomUUID().toString()));
        Files.writeString(workspace.resolve("pom.xml"), pom, StandardCharsets.UTF_8);
        return workspace;
    }

    /**
     * A workspace whose parent POM comes from a repository that accepts connections and never
     * answers: Maven waits on it (for half an hour by default) until the build is stopped.
     */
    private Path hangingWorkspace(String app) throws Exception {
        if (silent == null) {
            silent = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"));
            Thread accepter = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            accepter.setDaemon(true);
            accepter.start();
        }
        String gateway = DockerBridge.hostAddress();
        Path m2 = Files.createDirectories(appCache(app).resolve("home/.m2"));
        Files.writeString(m2.resolve("settings.xml"), """
                <settings><mirrors><mirror><id>silent</id><mirrorOf>*</mirrorOf><url>http://%s:%d/</url></mirror>
                </mirrors></settings>""".formatted(gateway, silent.getLocalPort()));
        return workspace(app, """
                <project><modelVersion>4.0.0</modelVersion>
                <parent><groupId>silent</groupId><artifactId>parent</artifactId><version>1</version><relativePath/></parent>
                <artifactId>t</artifactId><packaging>pom</packaging></project>""");
    }

    private Path appCache(String app) throws IOException {
        Files.createDirectories(cache.resolve(app).resolve("home"));
        return cache.resolve(app);
    }

    private String container(String app) {
        var containers = docker.listContainersCmd().withLabelFilter(Map.of(WarmBuilders.WARM, app,
                BuilderContainers.OWNER, owner)).exec();
        assertThat(containers).as("one warm container of " + app).hasSize(1);
        return containers.get(0).getId();
    }

    private boolean exists(String id) {
        return !docker.listContainersCmd().withShowAll(true).withIdFilter(List.of(id)).exec().isEmpty();
    }

    private static void awaitLine(List<String> lines, String text) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (lines.stream().noneMatch(l -> l.contains(text))) {
            assertThat(Instant.now()).as("waiting for '" + text + "' in " + lines).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    private static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now();

        void move(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
