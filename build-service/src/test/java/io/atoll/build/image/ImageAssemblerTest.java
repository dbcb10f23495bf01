package io.atoll.build.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.GZIPInputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link ImageAssembler} against Atoll's real image-registry (its jar, run as a process): the base
 * image is made here with jib {@code FROM scratch} and pushed there first, since no public
 * registry is reachable; every image is then read back through the registry's own API, and
 * skopeo, an independent client, is asked for the digest too.
 */
class ImageAssemblerTest {

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String BASE = "base/tiny:1";
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String LAUNCHER = "org.springframework.boot.loader.launch.JarLauncher";
    /** What Spring Boot 4.1's plugin writes (demo/spring-hello's jar has exactly this). */
    private static final String LAYERS_IDX = """
            - "dependencies":
              - "BOOT-INF/lib/"
            - "spring-boot-loader":
              - "org/"
            - "snapshot-dependencies":
            - "application":
              - "BOOT-INF/classes/"
              - "BOOT-INF/classpath.idx"
              - "BOOT-INF/layers.idx"
              - "META-INF/"
            """;
    private static final byte[] LIBRARY = "a dependency's jar ".repeat(500).getBytes(StandardCharsets.UTF_8);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static RegistryProcess registry;
    static ImageAssembler assembler;

    @BeforeAll
    static void registryWithABaseImage() throws Exception {
        registry = RegistryProcess.start(Files.createDirectories(dir.resolve("registry")));
        Path base = Files.createDirectories(dir.resolve("base/etc"));
        Files.writeString(base.resolve("atoll-base"), "a base image for build-service's tests\n");
        Jib.fromScratch()
                .setFormat(ImageFormat.OCI)
                .addLayer(List.of(base), AbsoluteUnixPath.get("/"))
                .containerize(Containerizer.to(RegistryImage.named(registry.host() + "/" + BASE))
                        .setAllowInsecureRegistries(true));
        assembler = assembler(dir.resolve("jib-cache"));
    }

    private static ImageAssembler assembler(Path cache) {
        return new ImageAssembler(new RegistryProperties(registry.host(), "", "", true, cache.toString(),
                Duration.ofDays(7)));
    }

    @AfterAll
    static void stopRegistry() throws InterruptedException {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void aJarBecomesAnImageWithItsPortEntrypointAndSortedEnv() throws Exception {
        Path jar = runnableJar(dir.resolve("hello.jar"), "hello");
        String commit = "1f0c6a2e9b7d4c3a8e5f6b7c8d9e0a1b2c3d4e5f";

        String digest = assembler.assemble(new ImageRequest("hello", commit, new ImageRequest.RunnableJar(jar), BASE,
                8080, List.of(), linked("SPRING_PROFILES_ACTIVE", "prod", "JAVA_TOOL_OPTIONS", "-Xmx128m")));

        JsonNode manifest = manifest("hello", commit, digest);
        assertThat(manifest.get("layers")).as("the base's layer, then the jar's").hasSize(2);
        JsonNode config = blob("hello", manifest.get("config").get("digest").asString());
        assertThat(config.get("created").asString()).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(config.get("config").get("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(strings(config.get("config").get("Entrypoint"))).containsExactly("java", "-jar", "/app/app.jar");
        assertThat(strings(config.get("config").get("Env")))
                .containsExactly("JAVA_TOOL_OPTIONS=-Xmx128m", "SPRING_PROFILES_ACTIVE=prod");

        List<TarArchiveEntry> files = layer("hello", manifest.get("layers").get(1).get("digest").asString());
        TarArchiveEntry app = files.stream().filter(e -> e.getName().equals("app/app.jar")).findFirst().orElseThrow();
        assertThat(app.getSize()).isEqualTo(Files.size(jar));
        assertThat(app.getMode() & 0777).isEqualTo(0644);
        assertThat(app.getModTime().getTime()).as("epoch + 1 s, whatever the file's time").isEqualTo(1000);

        assertThat(skopeoDigest("hello", commit)).isEqualTo(digest);
    }

    @Test
    void aStaticSiteBecomesAnImageUnderSrvWwwInPathOrder() throws Exception {
        Path site = site(dir.resolve("site-a"), "<h1>docs</h1>");
        String commit = "2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a";
        List<String> httpd = List.of("httpd", "-f", "-p", "8000", "-h", "/srv/www");

        String digest = assembler.assemble(new ImageRequest("docs", commit, new ImageRequest.StaticSite(site), BASE,
                8000, httpd, Map.of()));

        JsonNode manifest = manifest("docs", commit, digest);
        JsonNode config = blob("docs", manifest.get("config").get("digest").asString());
        assertThat(config.get("config").get("ExposedPorts").has("8000/tcp")).isTrue();
        assertThat(strings(config.get("config").get("Entrypoint"))).isEqualTo(httpd);

        List<TarArchiveEntry> files = layer("docs", manifest.get("layers").get(1).get("digest").asString());
        assertThat(files).extracting(TarArchiveEntry::getName).containsSubsequence(
                "srv/www/", "srv/www/assets/", "srv/www/assets/site.css", "srv/www/index.html");
        // directories at epoch + 1 s; each file at a time its content decides, so that a file
        // changed at the same size gets another ETag from the web server, yet the image is reproducible
        assertThat(files).filteredOn(TarArchiveEntry::isDirectory)
                .allSatisfy(e -> assertThat(e.getModTime().getTime()).isEqualTo(1000));
        assertThat(files).filteredOn(e -> e.getName().endsWith("index.html")).singleElement()
                .satisfies(e -> assertThat(e.getModTime().toInstant())
                        .isEqualTo(ImageAssembler.contentTime(site.resolve("index.html")))
                        .isNotEqualTo(java.time.Instant.ofEpochSecond(1)));
        Path sameSize = Files.writeString(dir.resolve("same-size.html"), "<h1>DOCS</h1>");
        assertThat(ImageAssembler.contentTime(sameSize))
                .isNotEqualTo(ImageAssembler.contentTime(site.resolve("index.html")));
        assertThat(files).filteredOn(e -> e.getName().endsWith(".html")).singleElement()
                .satisfies(e -> assertThat(e.getMode() & 0777).isEqualTo(0644));

        assertThat(skopeoDigest("docs", commit)).isEqualTo(digest);
    }

    @Test
    void theSameInputsGiveTheSameDigestAndOneChangedByteAnother() throws Exception {
        Path jar = runnableJar(dir.resolve("same.jar"), "same");
        String first = assembler.assemble(jarImage("3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b", jar));

        // what a fresh checkout and build changes without changing the bytes: the file's time and mode
        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 86_400_000L));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rwx------"));
        String again = assembler.assemble(jarImage("4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c", jar));
        assertThat(again).isEqualTo(first);

        byte[] bytes = Files.readAllBytes(jar);
        bytes[bytes.length / 2] ^= 1;
        Files.write(jar, bytes);
        String changed = assembler.assemble(jarImage("5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d", jar));
        assertThat(changed).isNotEqualTo(first);

        // a static site too, though Files.walk lists its files in whatever order the file system keeps
        String siteFirst = assembler.assemble(siteImage("6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e",
                site(dir.resolve("site-b"), "<h1>same</h1>")));
        String siteAgain = assembler.assemble(siteImage("7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
                site(dir.resolve("site-c"), "<h1>same</h1>")));
        assertThat(siteAgain).isEqualTo(siteFirst);
        String siteChanged = assembler.assemble(siteImage("8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a8a",
                site(dir.resolve("site-d"), "<h1>samE</h1>")));
        assertThat(siteChanged).isNotEqualTo(siteFirst);
    }

    @Test
    void aSpringBootJarBecomesOneLayerPerIndexLayerInItsOrderRunByItsLauncher() throws Exception {
        Path jar = jar(dir.resolve("boot.jar"), bootManifest(LAUNCHER), bootEntries("class v1"), 0, 9);
        String commit = "9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a";

        String digest = assembler.assemble(new ImageRequest("boot", commit, new ImageRequest.RunnableJar(jar), BASE,
                8080, List.of(), Map.of("GREETING", "hi")));

        JsonNode manifest = manifest("boot", commit, digest);
        assertThat(manifest.get("layers")).as("the base's, then dependencies, spring-boot-loader and application;"
                + " the empty snapshot-dependencies left out").hasSize(4);
        JsonNode config = blob("boot", manifest.get("config").get("digest").asString());
        assertThat(strings(config.get("config").get("Entrypoint"))).containsExactly("java", "-cp", "/app", LAUNCHER);
        assertThat(strings(config.get("config").get("Env"))).containsExactly("GREETING=hi");

        List<String> layers = layerDigests(manifest);
        assertThat(files("boot", layers.get(1))).containsOnlyKeys("app/BOOT-INF/lib/x.jar")
                .hasEntrySatisfying("app/BOOT-INF/lib/x.jar", bytes -> assertThat(bytes).isEqualTo(LIBRARY));
        assertThat(files("boot", layers.get(2)).keySet())
                .containsExactly("app/org/springframework/boot/loader/launch/JarLauncher.class");
        assertThat(files("boot", layers.get(3)).keySet()).containsExactly("app/BOOT-INF/classes/demo/Hello.class",
                "app/BOOT-INF/classpath.idx", "app/BOOT-INF/layers.idx", "app/META-INF/MANIFEST.MF");
        for (String layer : layers.subList(1, 4)) {
            assertThat(layer("boot", layer)).allSatisfy(entry -> {
                assertThat(entry.getName()).startsWith("app/");
                assertThat(entry.getModTime().getTime()).isEqualTo(1000);
                assertThat(entry.getMode() & 0777).isEqualTo(entry.isDirectory() ? 0755 : 0644);
            });
        }
        assertThat(skopeoDigest("boot", commit)).isEqualTo(digest);
    }

    @Test
    void theSameFilesGiveTheSameDigestAndAChangedClassChangesOnlyTheApplicationLayerFromTheCache() throws Exception {
        // its own cache: this test alters it
        Path cache = dir.resolve("cache-rebuild");
        ImageAssembler assembler = assembler(cache);
        // Boot 2.4 to 3.1's launcher: the entrypoint takes whatever Main-Class the jar names
        String launcher = "org.springframework.boot.loader.JarLauncher";
        Path first = jar(dir.resolve("rebuild-1.jar"), bootManifest(launcher), bootEntries("class v1"), 0, 9);
        Path same = jar(dir.resolve("rebuild-2.jar"), bootManifest(launcher), bootEntries("class v1"), 86_400_000L, 1);
        assertThat(Files.mismatch(first, same)).as("other times and compression: other bytes").isNotEqualTo(-1L);

        String commit = "1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b";
        String digest = assembler.assemble(bootImage("rebuild", commit, first));
        String again = assembler.assemble(bootImage("rebuild", "2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c", same));
        assertThat(again).isEqualTo(digest);
        JsonNode config = blob("rebuild", manifest("rebuild", commit, digest).get("config").get("digest").asString());
        assertThat(strings(config.get("config").get("Entrypoint"))).containsExactly("java", "-cp", "/app", launcher);
        assertThat(explodedLayers(cache)).as("one directory per layer, shared by both jars").hasSize(3);

        // jib's cached layer of an exploded directory is used as it is, never tarred again: were it,
        // this file's new content would give the dependencies layer another digest
        Path library;
        try (Stream<Path> files = Files.walk(cache.resolve("exploded"))) {
            library = files.filter(path -> path.endsWith("BOOT-INF/lib/x.jar")).findFirst().orElseThrow();
        }
        Files.writeString(library, "not what the jar holds");
        Files.setLastModifiedTime(library, FileTime.fromMillis(1000));

        Path changed = jar(dir.resolve("rebuild-3.jar"), bootManifest(launcher), bootEntries("class v2"), 0, 9);
        String changedCommit = "3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d";
        String rebuilt = assembler.assemble(bootImage("rebuild", changedCommit, changed));

        List<String> before = layerDigests(manifest("rebuild", commit, digest));
        List<String> after = layerDigests(manifest("rebuild", changedCommit, rebuilt));
        assertThat(after).hasSize(4);
        assertThat(after.subList(0, 3)).as("base, dependencies, spring-boot-loader").isEqualTo(before.subList(0, 3));
        assertThat(after.get(3)).as("application").isNotEqualTo(before.get(3));
        assertThat(files("rebuild", after.get(3))).hasEntrySatisfying("app/BOOT-INF/classes/demo/Hello.class",
                bytes -> assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("class v2"));
        assertThat(Files.readString(library)).as("not extracted again").isEqualTo("not what the jar holds");
        assertThat(explodedLayers(cache)).as("a new directory for the application layer only").hasSize(4);
    }

    @Test
    void layersUnusedForTheRetentionArePrunedAndMadeAgainTheSame() throws Exception {
        Path cache = dir.resolve("cache-prune");
        ImageAssembler assembler = assembler(cache);
        Path jar = jar(dir.resolve("prune.jar"), bootManifest(LAUNCHER), bootEntries("class prune"), 0, 9);
        String digest = assembler.assemble(bootImage("prune", "4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e", jar));
        Path crashed = Files.createDirectories(cache.resolve("exploded/tmp-123/BOOT-INF"));
        ExplodedLayers exploded = new ExplodedLayers(cache, Duration.ofDays(7));

        exploded.prune(Instant.now().minus(Duration.ofDays(7)));
        assertThat(explodedLayers(cache)).as("used just now: kept").hasSize(3);
        assertThat(crashed.getParent()).as("what a crashed assembly left").doesNotExist();

        exploded.prune(Instant.now().plusSeconds(60));
        assertThat(cache.resolve("exploded")).isEmptyDirectory();
        assertThat(cache.resolve("exploded-layers/layers")).isEmptyDirectory();
        assertThat(cache.resolve("exploded-layers/selectors")).isEmptyDirectory();

        String again = assembler.assemble(bootImage("prune", "5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f", jar));
        assertThat(again).as("the same layers, extracted and compressed again").isEqualTo(digest);
        assertThat(explodedLayers(cache)).hasSize(3);
    }

    @Test
    void hostileEntryNamesAndAMalformedIndexAreRefusedNamingThemAndNothingIsPushedOrExtracted() throws Exception {
        Path cache = dir.resolve("cache-hostile");
        ImageAssembler assembler = assembler(cache);
        Map<String, String> refused = new LinkedHashMap<>();
        for (String name : List.of("../x", "/etc/x", "BOOT-INF/lib/../../../../etc/x", "BOOT-INF\\..\\..\\x",
                "BOOT-INF/classes//x", "BOOT-INF/classes/./x")) {
            refused.put(name, "the jar's entry '" + name + "'");
        }
        refused.put("extra/x", "no layer in BOOT-INF/layers.idx holds the jar's 'extra/x'");
        refused.put("BOOT-INF/classes/demo/Hello.class/x",
                "'BOOT-INF/classes/demo/Hello.class' is both a file and a directory");
        int i = 0;
        for (Map.Entry<String, String> hostile : refused.entrySet()) {
            Map<String, byte[]> entries = bootEntries("class v1");
            entries.put(hostile.getKey(), "pwned".getBytes(StandardCharsets.UTF_8));
            Path jar = jar(dir.resolve("hostile-" + i + ".jar"), bootManifest(LAUNCHER), entries, 0, 9);
            String commit = String.valueOf(i++).repeat(40);

            assertThatThrownBy(() -> assembler.assemble(bootImage("hostile", commit, jar)))
                    .isInstanceOf(ImageException.class).hasMessageContaining(hostile.getValue());
            assertThat(registry.get("/v2/hostile/manifests/" + commit, OCI_MANIFEST).statusCode()).isEqualTo(404);
        }
        Map<String, byte[]> entries = bootEntries("class v1");
        entries.put("BOOT-INF/layers.idx", LAYERS_IDX.replace("- \"application\":", "- \"application\"")
                .getBytes(StandardCharsets.UTF_8));
        Path malformed = jar(dir.resolve("hostile-index.jar"), bootManifest(LAUNCHER), entries, 0, 9);
        String commit = "6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a";
        assertThatThrownBy(() -> assembler.assemble(bootImage("hostile", commit, malformed)))
                .isInstanceOf(ImageException.class).hasMessageStartingWith("BOOT-INF/layers.idx:6: ");
        assertThat(registry.get("/v2/hostile/tags/list", "application/json").statusCode()).isEqualTo(404);
        assertThat(cache.resolve("exploded")).doesNotExist();
    }

    @Test
    void aBootJarWithoutALayersIndexOrWithARunCommandStaysOneJarAtAppAppJar() throws Exception {
        Map<String, byte[]> entries = bootEntries("class v1");
        entries.remove("BOOT-INF/layers.idx");
        Manifest manifest = bootManifest(LAUNCHER);
        manifest.getMainAttributes().remove(new Attributes.Name("Spring-Boot-Layers-Index"));
        Path unindexed = jar(dir.resolve("unindexed.jar"), manifest, entries, 0, 9);
        Path indexed = jar(dir.resolve("indexed.jar"), bootManifest(LAUNCHER), bootEntries("class v1"), 0, 9);
        List<String> run = List.of("/bin/sh", "-c", "exec java -jar /app/app.jar");

        for (ImageRequest request : List.of(
                new ImageRequest("whole", "7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b", new ImageRequest.RunnableJar(unindexed),
                        BASE, 8080, List.of(), Map.of()),
                new ImageRequest("whole", "8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c8c", new ImageRequest.RunnableJar(indexed),
                        BASE, 8080, run, Map.of()))) {
            JsonNode image = manifest("whole", request.commit(), assembler.assemble(request));
            assertThat(image.get("layers")).hasSize(2);
            assertThat(files("whole", layerDigests(image).get(1))).containsOnlyKeys("app/app.jar");
            JsonNode config = blob("whole", image.get("config").get("digest").asString());
            assertThat(strings(config.get("config").get("Entrypoint")))
                    .isEqualTo(request.command().isEmpty() ? List.of("java", "-jar", "/app/app.jar") : run);
        }
    }

    /**
     * The real demo/spring-hello (Spring Boot 4.1.2), built here with the repository's Maven wrapper
     * (from ~/.m2, which the reactor's own Spring Boot build fills), assembled onto the real base image (script/lib/images.sh) and run by the engine from
     * Atoll's registry: Spring Boot's launcher starts the app from the exploded layers and it answers.
     */
    @Test
    void theRealSpringHelloRunsFromItsLayeredImage() throws Exception {
        Path project = Files.createDirectories(dir.resolve("spring-hello"));
        for (String file : List.of("pom.xml", "src/main/java/demo/SpringHello.java",
                "src/main/resources/application.properties")) {
            Files.createDirectories(project.resolve(file).getParent());
            Files.copy(ROOT.resolve("demo/spring-hello").resolve(file), project.resolve(file));
        }
        run(ROOT.resolve("mvnw").toString(), "-B", "-q", "-f", project.resolve("pom.xml").toString(), "package",
                "-DskipTests");
        run("skopeo", "copy", "-q", "--dest-tls-verify=false", "docker-daemon:atoll/base-java:local",
                "docker://" + registry.host() + "/atoll/base-java:17");
        int baseLayers = JSON.readTree(registry.get("/v2/atoll/base-java/manifests/17",
                OCI_MANIFEST + ",application/vnd.docker.distribution.manifest.v2+json").body()).get("layers").size();
        String commit = "9b9b9b9b9b9b9b9b9b9b9b9b9b9b9b9b9b9b9b9b";

        String digest = assembler.assemble(new ImageRequest("spring-hello", commit,
                new ImageRequest.RunnableJar(project.resolve("target/spring-hello.jar")), "atoll/base-java:17", 8080,
                List.of(), Map.of("GREETING", "hello from the layers")));
        assertThat(manifest("spring-hello", commit, digest).get("layers")).hasSize(baseLayers + 3);

        String image = registry.host() + "/spring-hello@" + digest;
        String container = "image-assembler-test-spring-hello";
        run("docker", "rm", "-f", container);
        try {
            run("docker", "run", "-d", "--name", container, "-p", "127.0.0.1::8080", "-e", "ATOLL_INSTANCE=layered",
                    image);
            String port = run("docker", "port", container, "8080/tcp").lines().findFirst().orElseThrow()
                    .replaceAll(".*:", "");
            HttpResponse<String> answer = null;
            for (Instant deadline = Instant.now().plusSeconds(90); Instant.now().isBefore(deadline); Thread.sleep(250)) {
                try {
                    answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    break;
                } catch (IOException e) {
                    // not listening yet
                }
            }
            assertThat(answer).as(run("docker", "logs", container)).isNotNull();
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("hello from the layers (layered)\n");
        } finally {
            run("docker", "rm", "-f", container);
            run("docker", "rmi", "-f", image);
        }
    }

    private static ImageRequest jarImage(String commit, Path jar) {
        return new ImageRequest("same", commit, new ImageRequest.RunnableJar(jar), BASE, 8080, List.of(),
                Map.of("B", "2", "A", "1"));
    }

    private static ImageRequest siteImage(String commit, Path site) {
        return new ImageRequest("site", commit, new ImageRequest.StaticSite(site), BASE, 8000,
                List.of("httpd", "-f", "-h", "/srv/www"), Map.of());
    }

    /** GET /v2/<app>/manifests/<commit>: the registry serves it under that tag, with the digest jib reported. */
    private static JsonNode manifest(String app, String commit, String digest) throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/" + app + "/manifests/" + commit, OCI_MANIFEST);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        assertThat("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(response.body())))
                .isEqualTo(digest);
        return JSON.readTree(response.body());
    }

    private static JsonNode blob(String app, String digest) throws Exception {
        return JSON.readTree(blobBytes(app, digest));
    }

    private static byte[] blobBytes(String app, String digest) throws Exception {
        HttpResponse<byte[]> response = registry.get("/v2/" + app + "/blobs/" + digest, "*/*");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static List<TarArchiveEntry> layer(String app, String digest) throws Exception {
        return tar(app, digest).stream().map(TarFile::entry).toList();
    }

    /** A layer's files (not its directories) and their contents, in the tar's order. */
    private static Map<String, byte[]> files(String app, String digest) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        tar(app, digest).stream().filter(file -> !file.entry().isDirectory())
                .forEach(file -> files.put(file.entry().getName(), file.content()));
        return files;
    }

    private record TarFile(TarArchiveEntry entry, byte[] content) {
    }

    private static List<TarFile> tar(String app, String digest) throws Exception {
        List<TarFile> entries = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(blobBytes(app, digest)));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                entries.add(new TarFile(entry, tar.readAllBytes()));
            }
        }
        return entries;
    }

    private static ImageRequest bootImage(String app, String commit, Path jar) {
        return new ImageRequest(app, commit, new ImageRequest.RunnableJar(jar), BASE, 8080, List.of(), Map.of());
    }

    private static List<String> layerDigests(JsonNode manifest) {
        List<String> digests = new ArrayList<>();
        manifest.get("layers").forEach(layer -> digests.add(layer.get("digest").asString()));
        return digests;
    }

    private static List<Path> explodedLayers(Path cache) throws IOException {
        try (Stream<Path> layers = Files.list(cache.resolve("exploded"))) {
            return layers.toList();
        }
    }

    private static Manifest bootManifest(String mainClass) {
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.put(Attributes.Name.MAIN_CLASS, mainClass);
        attributes.putValue("Start-Class", "demo.Hello");
        attributes.putValue("Spring-Boot-Classes", "BOOT-INF/classes/");
        attributes.putValue("Spring-Boot-Lib", "BOOT-INF/lib/");
        attributes.putValue("Spring-Boot-Classpath-Index", "BOOT-INF/classpath.idx");
        attributes.putValue("Spring-Boot-Layers-Index", "BOOT-INF/layers.idx");
        return manifest;
    }

    /** What Spring Boot's plugin puts in a repackaged jar, in its order; null for a directory. */
    private static Map<String, byte[]> bootEntries(String helloClass) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("org/", null);
        entries.put("org/springframework/boot/loader/launch/JarLauncher.class", bytes("the launcher"));
        entries.put("BOOT-INF/", null);
        entries.put("BOOT-INF/classes/", null);
        entries.put("BOOT-INF/classes/demo/Hello.class", bytes(helloClass));
        entries.put("BOOT-INF/lib/", null);
        entries.put("BOOT-INF/lib/x.jar", LIBRARY);
        entries.put("BOOT-INF/classpath.idx", bytes("- \"BOOT-INF/lib/x.jar\"\n"));
        entries.put("BOOT-INF/layers.idx", bytes(LAYERS_IDX));
        return entries;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A jar of these entries, all at {@code time} (ms), deflated at {@code level}. */
    private static Path jar(Path path, Manifest manifest, Map<String, byte[]> entries, long time, int level)
            throws IOException {
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(path), manifest)) {
            jar.setLevel(level);
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                ZipEntry zipEntry = new ZipEntry(entry.getKey());
                zipEntry.setTime(time);
                jar.putNextEntry(zipEntry);
                if (entry.getValue() != null) {
                    jar.write(entry.getValue());
                }
                jar.closeEntry();
            }
        }
        return path;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
        boolean removing = command[0].equals("docker") && command[1].startsWith("rm");
        assertThat(process.exitValue() == 0 || removing).as(String.join(" ", command) + ": " + output).isTrue();
        return output;
    }

    private static String skopeoDigest(String app, String commit) throws Exception {
        return JSON.readTree(run("skopeo", "inspect", "--tls-verify=false",
                "docker://" + registry.host() + "/" + app + ":" + commit)).get("Digest").asString();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asString()));
        return values;
    }

    private static Map<String, String> linked(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** A real runnable jar (its Main-Class is never run: the image is only read back). */
    private static Path runnableJar(Path path, String text) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "example.Main");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(path), manifest)) {
            jar.putNextEntry(new ZipEntry("greeting.txt"));
            jar.write((text + " ".repeat(256)).getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return path;
    }

    private static Path site(Path root, String index) throws IOException {
        Files.createDirectories(root.resolve("assets"));
        Files.writeString(root.resolve("index.html"), index);
        Files.writeString(root.resolve("assets/site.css"), "h1 { color: teal }");
        return root;
    }
}
