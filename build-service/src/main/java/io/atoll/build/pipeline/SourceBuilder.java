package io.atoll.build.pipeline;

import io.atoll.build.BuildProperties;
import io.atoll.build.container.BuilderContainers;
import io.atoll.build.container.BuilderProperties;
import io.atoll.build.container.DockerfileBuilds;
import io.atoll.build.container.WarmBuilders;
import io.atoll.build.image.ImageAssembler;
import io.atoll.build.image.ImageRequest;
import io.atoll.build.queue.BuildFailure;
import io.atoll.build.queue.BuildJob;
import io.atoll.build.queue.BuildSteps;
import io.atoll.build.queue.Builder;
import io.atoll.build.source.GitSource;
import io.atoll.build.source.SourceException;
import io.atoll.build.source.TarballSource;
import io.atoll.build.source.Uploads;
import io.atoll.build.source.Workspace;
import io.atoll.manifest.AppManifest;
import io.atoll.manifest.AppType;
import io.atoll.manifest.AtollManifests;
import io.atoll.manifest.ManifestError;
import io.atoll.manifest.ManifestException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;
import org.springframework.util.FileSystemUtils;

/**
 * The builder: checkout, manifest, build, image, and deploy when the app is set to. Each is a
 * step of the build's record and log:
 *
 * <ol>
 * <li>{@code checkout}: the commit (or ref) from git into a fresh workspace, deleted afterwards;
 * <li>{@code manifest}: {@code atoll.yml} at the repository's root, every error with its line;
 * <li>{@code build}: the build command in a builder container ({@link BuilderContainers}), with the
 *     app's cache; its output is the build's log;
 * <li>{@code image}: the artifact onto the type's base image with jib, pushed as
 *     {@code <app>:<commit>}; for a {@code dockerfile} app, instead of {@code build} and jib, the
 *     engine builds the repository's Dockerfile ({@link DockerfileBuilds}) and pushes it;
 * <li>{@code deploy}: {@code <app>:<commit>@<digest>} through platform-api.
 * </ol>
 *
 * A failing step fails the build with the lines that say why, and nothing after it runs: a build
 * that did not produce its image deploys nothing.
 */
@Component
class SourceBuilder implements Builder {

    private static final int TAIL = 30;
    /** The default build of a Maven project without a wrapper, which a warm builder can run. */
    private static final List<String> MAVEN_ARGUMENTS = List.of("-B", "-ntp", "package", "-DskipTests");
    private static final String MAVEN = "mvn " + String.join(" ", MAVEN_ARGUMENTS);

    private final GitSource git;
    private final TarballSource tarballs;
    private final Uploads uploads;
    private final BuilderContainers containers;
    private final WarmBuilders warm;
    private final DockerfileBuilds dockerfiles;
    private final ImageAssembler images;
    private final PlatformDeployer deployer;
    private final BuilderProperties builder;
    private final BuildProperties properties;
    private final Path cacheRoot;

    SourceBuilder(GitSource git, TarballSource tarballs, Uploads uploads, BuilderContainers containers,
            WarmBuilders warm, DockerfileBuilds dockerfiles, ImageAssembler images, PlatformDeployer deployer,
            BuilderProperties builder, BuildProperties properties) {
        this.git = git;
        this.tarballs = tarballs;
        this.uploads = uploads;
        this.containers = containers;
        this.warm = warm;
        this.dockerfiles = dockerfiles;
        this.images = images;
        this.deployer = deployer;
        this.builder = builder;
        this.properties = properties;
        this.cacheRoot = builder.cacheDir().isBlank() ? Path.of(properties.dataDir(), "cache")
                : Path.of(builder.cacheDir());
    }

    @Override
    public String build(BuildJob job, BuildSteps steps) throws InterruptedException, BuildFailure {
        boolean upload = "upload".equals(job.sourceKind());
        List<Path> moved = new ArrayList<>();
        try (Workspace workspace = steps.run("checkout", () -> upload ? unpack(job) : checkout(job))) {
            String commit = workspace.commit();
            steps.resolved(commit);
            steps.log("[atoll] " + (upload ? "unpacked the upload, sha256 " : "checked out ") + commit);
            AppManifest manifest = steps.run("manifest", () -> manifest(job, workspace.directory(), steps));
            String digest;
            if (manifest.type() == AppType.DOCKERFILE) {
                // the Dockerfile is the build: one step, the engine's build and push
                digest = steps.run("image", () -> dockerfile(workspace.directory(), job.app(), commit, steps));
            } else {
                ImageRequest.Artifact artifact = steps.run("build", () -> build(job, workspace.directory(), manifest,
                        steps, moved));
                digest = steps.run("image", () -> images.assemble(new ImageRequest(job.app(), commit, artifact,
                        base(manifest.type()), manifest.port(),
                        manifest.run() == null ? List.of() : List.of("/bin/sh", "-c", manifest.run()), manifest.env())));
            }
            String image = job.app() + ":" + commit + "@" + digest;
            steps.log("[atoll] pushed " + image);
            BuildProperties.App app = properties.apps().get(job.app());
            if (app != null && app.deploy()) {
                String deploy = steps.run("deploy", () -> deploy(job.app(), image, manifest.resources().memoryMb()));
                steps.log("[atoll] deploy " + deploy + " of " + image + " started (platform-api: GET /api/v1/apps/"
                        + job.app() + "/deploys/" + deploy + ")");
            }
            return digest;
        } finally {
            moved.forEach(path -> FileSystemUtils.deleteRecursively(path.toFile()));
        }
    }

    private String dockerfile(Path root, String app, String commit, BuildSteps steps)
            throws BuildFailure, InterruptedException {
        try {
            return dockerfiles.buildAndPush(root, app, commit, steps::log);
        } catch (DockerfileBuilds.Failed e) {
            throw new BuildFailure("image", e.getMessage());
        }
    }

    private Workspace checkout(BuildJob job) throws SourceException, InterruptedException {
        return git.checkout(job.repository(), job.commit() != null ? job.commit() : job.ref());
    }

    /** The stored upload, which is not needed again once unpacked: a build runs once. */
    private Workspace unpack(BuildJob job) throws SourceException, IOException {
        try (InputStream stored = uploads.open(job.repository())) {
            return tarballs.extract(stored);
        } catch (java.nio.file.NoSuchFileException e) {
            throw SourceException.refused("the upload is gone (build-service's data directory lost it)");
        } finally {
            uploads.delete(job.repository());
        }
    }

    private String deploy(String app, String image, Long memoryMb) throws BuildFailure {
        try {
            return deployer.deploy(app, image, memoryMb);
        } catch (PlatformDeployer.DeployRefused e) {
            throw new BuildFailure("deploy", e.getMessage());
        }
    }

    private static AppManifest manifest(BuildJob job, Path root, BuildSteps steps) throws BuildFailure {
        Path file = root.resolve("atoll.yml");
        if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new BuildFailure("manifest", "no atoll.yml at the repository's root (docs/atoll-yml.md)");
        }
        AppManifest manifest;
        try {
            manifest = AtollManifests.parse(file);
        } catch (ManifestException e) {
            List<String> errors = e.errors().stream().map(ManifestError::toString).toList();
            errors.forEach(steps::log);
            throw new BuildFailure("manifest", String.join("\n", errors));
        }
        if (!manifest.name().equals(job.app())) {
            throw new BuildFailure("manifest", "atoll.yml names the app '" + manifest.name()
                    + "', but this is a build of '" + job.app() + "'");
        }
        if (manifest.type() == AppType.DOCKERFILE && (manifest.run() != null || !manifest.env().isEmpty())) {
            throw new BuildFailure("manifest", "run: and env: are not applied to a dockerfile app yet:"
                    + " set CMD and ENV in the Dockerfile");
        }
        steps.log("[atoll] atoll.yml: " + manifest.type().yamlName() + " app " + manifest.name() + " on port "
                + manifest.port());
        return manifest;
    }

    /**
     * @param moved where the checkout was moved to be built warm, to be deleted when the build is
     *     over (the image step reads the artifact there)
     */
    private ImageRequest.Artifact build(BuildJob job, Path checkout, AppManifest manifest, BuildSteps steps,
            List<Path> moved) throws BuildFailure, IOException, InterruptedException {
        Path root = checkout;
        String script = manifest.build() != null ? manifest.build() : defaultBuild(root, manifest);
        if (script != null && script.equals(MAVEN) && warmable(root)) {
            root = warm.workspace(job.app(), job.buildId());
            moved.add(root);
            move(checkout, root);
            runWarm(job, root, steps);
        } else if (script != null) {
            runInBuilder(job, root, script, steps);
        } else {
            steps.log("[atoll] nothing to build: the files are served as they are");
        }
        if (manifest.type() == AppType.COMMAND) {
            Path built = inside(root, manifest.artifact(), "artifact");
            if (!Files.exists(built)) {
                throw new BuildFailure("build", "the build left no artifact at " + manifest.artifact());
            }
            steps.log("[atoll] artifact " + manifest.artifact());
            return new ImageRequest.CommandArtifact(root, root.relativize(built).toString());
        }
        if (manifest.type() == AppType.STATIC) {
            Path site = inside(root, manifest.root() == null ? "." : manifest.root(), "root");
            if (!Files.isDirectory(site)) {
                throw new BuildFailure("build", "root '" + manifest.root() + "' is not a directory after the build");
            }
            return new ImageRequest.StaticSite(site);
        }
        Path jar = manifest.artifact() != null ? inside(root, manifest.artifact(), "artifact") : findJar(root);
        if (!Files.isRegularFile(jar)) {
            throw new BuildFailure("build", "the build left no artifact at " + root.relativize(jar));
        }
        if (manifest.run() == null) {
            requireMainClass(root, jar);
        }
        steps.log("[atoll] artifact " + root.relativize(jar) + " (" + Files.size(jar) + " bytes)");
        return new ImageRequest.RunnableJar(jar);
    }

    private String base(AppType type) {
        return switch (type) {
            case JAVA -> builder.baseJava();
            case STATIC -> builder.baseStatic();
            default -> builder.baseCommand();
        };
    }

    /** The type's default command, or null when there is nothing to build. */
    private static String defaultBuild(Path root, AppManifest manifest) throws BuildFailure {
        if (manifest.type() == AppType.STATIC) {
            return null;
        }
        if (Files.isRegularFile(root.resolve("mvnw")) && Files.isRegularFile(root.resolve("pom.xml"))) {
            return "sh ./mvnw -B -ntp package -DskipTests";
        }
        if (Files.isRegularFile(root.resolve("pom.xml"))) {
            return "mvn -B -ntp package -DskipTests";
        }
        if (Files.isRegularFile(root.resolve("gradlew"))) {
            return "sh ./gradlew --no-daemon assemble";
        }
        if (Files.isRegularFile(root.resolve("build.gradle")) || Files.isRegularFile(root.resolve("build.gradle.kts"))) {
            throw new BuildFailure("build", "a Gradle project needs its gradlew wrapper: the builder image has no Gradle");
        }
        throw new BuildFailure("build", "type java needs a pom.xml, a gradlew, or a build: command in atoll.yml");
    }

    /**
     * Whether the default Maven build may run in the app's warm builder: not when the project asks
     * for its own JVM options or core extensions, which only a JVM of its own can honour.
     */
    private boolean warmable(Path root) {
        return warm.enabled() && !Files.exists(root.resolve(".mvn/jvm.config"), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && !Files.exists(root.resolve(".mvn/extensions.xml"), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** The default Maven build in the app's warm builder, or in a fresh container when that one is busy. */
    private void runWarm(BuildJob job, Path root, BuildSteps steps) throws BuildFailure, IOException, InterruptedException {
        steps.log("[atoll] $ " + MAVEN + " (in the app's warm builder)");
        Relevant relevant = new Relevant();
        Optional<BuilderContainers.Outcome> outcome = warm.run(job.app(), root, cache(job.app()), builderEnv(job.app()),
                MAVEN_ARGUMENTS, line -> {
                    steps.log(line);
                    relevant.add(line);
                });
        if (outcome.isPresent()) {
            check(outcome.get(), relevant);
        } else {
            runInBuilder(job, root, MAVEN, steps);
        }
    }

    /**
     * Moves the checkout into the warm builder's directory: a rename on one file system, else a
     * copy that keeps symbolic links as links (a link in a repository must never bring in a file
     * of build-service's host).
     */
    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return;
        } catch (java.nio.file.AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException e) {
            // another file system
        }
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Files.copy(path, to.resolve(from.relativize(path).toString()), java.nio.file.LinkOption.NOFOLLOW_LINKS,
                        java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private void runInBuilder(BuildJob job, Path root, String script, BuildSteps steps)
            throws BuildFailure, IOException, InterruptedException {
        Path cache = cache(job.app());
        steps.log("[atoll] $ " + script.replace('\n', ' '));
        Relevant relevant = new Relevant();
        BuilderContainers.Outcome outcome = containers.run(new BuilderContainers.Command(job.buildId(), job.app(),
                root, cache, script, builderEnv(job.app())), line -> {
                    steps.log(line);
                    relevant.add(line);
                });
        check(outcome, relevant);
    }

    private void check(BuilderContainers.Outcome outcome, Relevant relevant) throws BuildFailure {
        if (outcome.timedOut()) {
            throw new BuildFailure("build", "the build command ran longer than " + builder.timeout()
                    + " (atoll.build.builder.timeout) and was stopped\n" + relevant);
        }
        if (outcome.outOfMemory()) {
            throw new BuildFailure("build", "the build command ran out of memory (atoll.build.builder.memory "
                    + builder.memory() + ")\n" + relevant);
        }
        if (!outcome.succeeded()) {
            throw new BuildFailure("build", "the build command exited with " + outcome.exitCode() + "\n" + relevant);
        }
    }

    /** The build command's environment: the app, and MAVEN_OPTS (maven-opts), which the command may replace. */
    private Map<String, String> builderEnv(String app) {
        return builder.mavenOpts().isBlank() ? Map.of("ATOLL_APP", app)
                : Map.of("ATOLL_APP", app, "MAVEN_OPTS", builder.mavenOpts());
    }

    /** The app's cache directory, with Maven's settings written afresh: the mirror may have changed. */
    private Path cache(String app) throws IOException {
        Path cache = cacheRoot.resolve(app);
        Path m2 = Files.createDirectories(cache.resolve("home/.m2"));
        Path settings = m2.resolve("settings.xml");
        if (builder.mavenMirror().isBlank()) {
            Files.deleteIfExists(settings);
        } else {
            Files.writeString(settings, """
                    <settings>
                      <mirrors>
                        <mirror><id>atoll</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
                      </mirrors>
                    </settings>
                    """.formatted(builder.mavenMirror()), StandardCharsets.UTF_8);
        }
        return cache;
    }

    /** A path the manifest names, which must stay inside the checkout once links are resolved. */
    private static Path inside(Path root, String relative, String field) throws BuildFailure, IOException {
        Path path = root.resolve(relative).normalize();
        Path real = Files.exists(path) ? path.toRealPath() : path;
        if (!real.startsWith(root.toRealPath())) {
            throw new BuildFailure("build", field + " '" + relative + "' leads outside the repository");
        }
        return real;
    }

    private static Path findJar(Path root) throws BuildFailure, IOException {
        List<Path> jars = new ArrayList<>();
        for (String dir : List.of("target", "build/libs")) {
            Path directory = root.resolve(dir);
            if (Files.isDirectory(directory)) {
                try (Stream<Path> files = Files.list(directory)) {
                    files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                            .filter(f -> !f.getFileName().toString().matches(".*-(sources|javadoc|tests|plain)\\.jar"))
                            .sorted().forEach(jars::add);
                }
            }
        }
        if (jars.isEmpty()) {
            throw new BuildFailure("build", "the build left no jar in target/ or build/libs/; name it with artifact: in atoll.yml");
        }
        if (jars.size() > 1) {
            throw new BuildFailure("build", "the build left several jars (" + jars.stream()
                    .map(j -> root.relativize(j).toString()).collect(Collectors.joining(", "))
                    + "); name the one to run with artifact: in atoll.yml");
        }
        return jars.get(0);
    }

    private static void requireMainClass(Path root, Path jar) throws BuildFailure, IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            if (file.getManifest() == null || file.getManifest().getMainAttributes().getValue("Main-Class") == null) {
                throw new BuildFailure("build", root.relativize(jar) + " has no Main-Class, so java -jar cannot run it:"
                        + " make it runnable (Spring Boot's plugin, the jar or shade plugin) or set run: in atoll.yml");
            }
        } catch (java.util.zip.ZipException e) {
            throw new BuildFailure("build", root.relativize(jar) + " is not a jar");
        }
    }

    /** What a failed build's reason quotes: the compiler's and Maven's error lines, else the last lines. */
    private static final class Relevant {
        private final List<String> errors = new ArrayList<>();
        private final Deque<String> tail = new ArrayDeque<>();

        synchronized void add(String line) {
            if ((line.startsWith("[ERROR]") || line.contains("error:") || line.startsWith("ERROR"))
                    && errors.size() < TAIL) {
                errors.add(line);
            }
            tail.addLast(line);
            if (tail.size() > TAIL) {
                tail.removeFirst();
            }
        }

        @Override
        public synchronized String toString() {
            String text = String.join("\n", errors.isEmpty() ? tail : errors);
            // the record keeps 4000 characters; the whole output is in the log
            return text.length() > 3500 ? text.substring(0, 3500) + "…" : text;
        }
    }
}
