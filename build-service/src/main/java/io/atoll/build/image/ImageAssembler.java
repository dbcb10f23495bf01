package io.atoll.build.image;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;
import org.springframework.util.FileSystemUtils;

/**
 * Assembles an app's image with jib-core, without a Docker daemon, on a base image read from
 * Atoll's registry, and pushes it there as {@code <registry>/<app>:<commit>}.
 *
 * <p>Reproducible: every file gets the same time ({@link FileEntriesLayer#DEFAULT_MODIFICATION_TIME},
 * epoch + 1 s) and permissions (644, 755 for directories), the image's creation time is the
 * epoch, the entries of a layer are added in path order and the environment sorted; so the
 * same artifact bytes on the same base give the same digest, whatever the files' times on disk.
 *
 * <p>A Spring Boot jar with a {@code layers.idx} and no run command is exploded into one layer per
 * index layer under {@code /app} ({@link BootJar}), run as {@code java -cp /app <Main-Class>}, so
 * that a rebuild with the same dependencies reuses their layers from {@link ExplodedLayers}
 * instead of compressing and pushing the whole jar again.
 */
@Component
@EnableConfigurationProperties(RegistryProperties.class)
public class ImageAssembler {

    static final AbsoluteUnixPath JAR_PATH = AbsoluteUnixPath.get("/app/app.jar");
    static final AbsoluteUnixPath SITE_ROOT = AbsoluteUnixPath.get("/srv/www");
    static final AbsoluteUnixPath APP_ROOT = AbsoluteUnixPath.get("/app");
    private static final FilePermissions FILE = FilePermissions.fromOctalString("644");
    private static final FilePermissions DIRECTORY = FilePermissions.fromOctalString("755");
    private static final FilePermissions EXECUTABLE = FilePermissions.fromOctalString("755");
    private static final String TOOL = "atoll-build";

    private final RegistryProperties registry;
    private final ExplodedLayers exploded;

    public ImageAssembler(RegistryProperties registry) {
        this.registry = registry;
        this.exploded = new ExplodedLayers(Path.of(registry.cacheDir()), registry.cacheRetention());
        if (registry.allowInsecure() && registry.hasCredentials()) {
            // jib refuses to send credentials over plain HTTP unless this system property says so;
            // it has no per-build setting. allow-insecure is documented as meaning exactly this.
            System.setProperty("sendCredentialsOverHttp", "true");
        }
    }

    /**
     * Builds and pushes the image.
     *
     * @return the pushed manifest's digest, {@code sha256:...}
     */
    public String assemble(ImageRequest request) throws IOException, InterruptedException, ImageException {
        Path cache = Files.createDirectories(Path.of(registry.cacheDir()));
        // a run command may name /app/app.jar: only the default entrypoint can be changed
        Optional<BootJar> boot = request.command().isEmpty() && request.artifact() instanceof ImageRequest.RunnableJar jar
                ? BootJar.read(jar.jar()) : Optional.empty();
        if (boot.isPresent()) {
            try (ExplodedLayers.Use use = exploded.use()) {
                List<FileEntriesLayer> layers = new ArrayList<>();
                for (BootJar.Layer layer : boot.get().layers()) {
                    layers.add(explodedLayer(layer, exploded.directory(boot.get(), layer)));
                }
                // Spring Boot's launcher finds BOOT-INF/classes and BOOT-INF/lib beside itself on the class path
                List<String> command = List.of("java", "-cp", APP_ROOT.toString(), boot.get().mainClass());
                return containerize(request, layers, command, cache, exploded.jibCache());
            }
        }
        // Application layers are cached by their files' paths and times on disk only, so a rebuilt
        // file with an old time (a tarball that keeps times) could come back stale: each assembly
        // of files from a workspace gets a cache of its own.
        Path appLayers = Files.createTempDirectory(cache, "app-");
        try {
            List<String> command = request.command().isEmpty() && request.artifact() instanceof ImageRequest.RunnableJar
                    ? List.of("java", "-jar", JAR_PATH.toString()) : request.command();
            return containerize(request, List.of(layer(request.artifact())), command, cache, appLayers);
        } finally {
            FileSystemUtils.deleteRecursively(appLayers);
        }
    }

    private String containerize(ImageRequest request, List<FileEntriesLayer> layers, List<String> command, Path cache,
            Path appLayers) throws IOException, InterruptedException, ImageException {
        try {
            JibContainerBuilder image = Jib.from(registryImage(request.baseImage()))
                    .setFormat(ImageFormat.OCI)
                    .setCreationTime(Instant.EPOCH)
                    .setExposedPorts(Set.of(Port.tcp(request.port())))
                    .setEnvironment(request.env());
            for (FileEntriesLayer layer : layers) {
                image.addFileEntriesLayer(layer);
            }
            if (!command.isEmpty()) {
                image.setEntrypoint(command).setProgramArguments(List.of());
            }
            if (request.artifact() instanceof ImageRequest.CommandArtifact) {
                image.setWorkingDirectory(APP_ROOT);
            }
            // base layers are cached by digest, which is safe to share
            Containerizer to = Containerizer.to(registryImage(request.app() + ":" + request.commit()))
                    .setAllowInsecureRegistries(registry.allowInsecure())
                    .setToolName(TOOL)
                    .setBaseImageLayersCache(cache.resolve("base"))
                    .setApplicationLayersCache(appLayers);
            return image.containerize(to).getDigest().toString();
        } catch (InvalidImageReferenceException e) {
            throw new ImageException("not an image reference: " + e.getMessage(), e);
        } catch (RegistryException e) {
            throw new ImageException("the registry refused: " + e.getMessage(), e);
        } catch (CacheDirectoryCreationException e) {
            throw new IOException("cannot create jib's cache in " + registry.cacheDir(), e);
        } catch (ExecutionException e) {
            throw new ImageException("assembling the image failed: " + e.getCause(), e.getCause());
        }
    }

    private RegistryImage registryImage(String repositoryAndTag) throws InvalidImageReferenceException {
        RegistryImage image = RegistryImage.named(registry.host() + "/" + repositoryAndTag);
        if (registry.hasCredentials()) {
            image.addCredential(registry.username(), registry.password());
        }
        return image;
    }

    static FileEntriesLayer layer(ImageRequest.Artifact artifact) throws IOException {
        if (artifact instanceof ImageRequest.RunnableJar jar) {
            return FileEntriesLayer.builder().setName("app").addEntry(entry(jar.jar(), JAR_PATH, FILE)).build();
        }
        if (artifact instanceof ImageRequest.CommandArtifact built) {
            Path source = built.root().resolve(built.path()).normalize();
            return tree(source, APP_ROOT.resolve(built.path()), "app", true);
        }
        return tree(((ImageRequest.StaticSite) artifact).directory(), SITE_ROOT, "site", false);
    }

    /**
     * A file, or a directory and everything in it, as one layer at {@code target}.
     *
     * @param keepExecutable files executable on disk get 755 rather than 644 (a command app's binaries)
     */
    private static FileEntriesLayer tree(Path root, AbsoluteUnixPath rootTarget, String name, boolean keepExecutable)
            throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        try (Stream<Path> paths = Files.walk(root)) {
            // Files.walk's order is the file system's: sort, so that the tar is the same on every machine
            // a repository's own .git is not part of the site: it would publish the whole history
            for (Path path : paths.filter(p -> !root.relativize(p).startsWith(".git")).sorted().toList()) {
                AbsoluteUnixPath target = path.equals(root) ? rootTarget : rootTarget.resolve(root.relativize(path));
                if (Files.isSymbolicLink(path)) {
                    throw new IOException("the " + name + " holds a symbolic link, which the image would not keep: "
                            + root.relativize(path));
                }
                FilePermissions mode = Files.isDirectory(path) ? DIRECTORY
                        : keepExecutable && Files.isExecutable(path) ? EXECUTABLE : FILE;
                layer.addEntry(new FileEntry(path, target, mode, Files.isDirectory(path)
                        ? FileEntriesLayer.DEFAULT_MODIFICATION_TIME : contentTime(path)));
            }
        }
        return layer.build();
    }

    /**
     * A time that only the file's content decides: web servers (busybox httpd among them) make
     * their ETag from a file's time and size, so one fixed time for every file would answer
     * {@code 304 Not Modified} for a file changed at the same size. Still reproducible.
     */
    static Instant contentTime(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = in.read(buffer)) != -1) {
                sha256.update(buffer, 0, read);
            }
            // within 2^31 s of epoch + 1 s (up to 2038): every tar and file system keeps it
            long seconds = ByteBuffer.wrap(sha256.digest()).getInt() & 0x7fffffffL;
            return FileEntriesLayer.DEFAULT_MODIFICATION_TIME.plusSeconds(seconds);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An exploded jar layer at {@code /app}, its files in path order at epoch + 1 s and 644, like a whole jar's. */
    static FileEntriesLayer explodedLayer(BootJar.Layer layer, Path directory) {
        FileEntriesLayer.Builder entries = FileEntriesLayer.builder().setName(layer.name());
        // only files: jib adds their directories (755, epoch + 1 s), and a directory's time on disk,
        // which jib's cache would key on, changes each time ExplodedLayers dates it
        for (BootJar.Entry entry : layer.entries()) {
            entries.addEntry(entry(directory.resolve(entry.name()), APP_ROOT.resolve(entry.name()), FILE));
        }
        return entries.build();
    }

    private static FileEntry entry(Path source, AbsoluteUnixPath target, FilePermissions permissions) {
        return new FileEntry(source, target, permissions, FileEntriesLayer.DEFAULT_MODIFICATION_TIME);
    }
}
