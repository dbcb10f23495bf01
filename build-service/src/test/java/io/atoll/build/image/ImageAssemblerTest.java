package io.atoll.build.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
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
    private static final JsonMapper JSON = JsonMapper.builder().build();

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
        assembler = new ImageAssembler(new RegistryProperties(registry.host(), "", "", true,
                dir.resolve("jib-cache").toString()));
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
        List<TarArchiveEntry> entries = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(blobBytes(app, digest)));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                entries.add(entry);
            }
        }
        return entries;
    }

    private static String skopeoDigest(String app, String commit) throws Exception {
        Process skopeo = new ProcessBuilder("skopeo", "inspect", "--tls-verify=false",
                "docker://" + registry.host() + "/" + app + ":" + commit).redirectErrorStream(true).start();
        String output = new String(skopeo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(skopeo.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(skopeo.exitValue()).as(output).isZero();
        return JSON.readTree(output).get("Digest").asString();
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
