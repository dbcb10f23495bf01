package io.atoll.build.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What {@link ImageAssembler} turns into {@code <registry>/<app>:<commit>}.
 *
 * @param app the app's name: the image's repository
 * @param commit the commit built: the image's tag
 * @param artifact what the build produced
 * @param baseImage a {@code repository:tag} (or {@code repository@sha256:...}) in Atoll's registry
 * @param port the port the app listens on, exposed in the image's config
 * @param command the entrypoint; empty: {@code java -jar /app/app.jar} for a jar ({@code java -cp /app
 *     <Main-Class>} for a layered Spring Boot jar), the base image's own for a site
 * @param env environment variables set in the image
 */
public record ImageRequest(String app, String commit, Artifact artifact, String baseImage, int port,
        List<String> command, Map<String, String> env) {

    public ImageRequest {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(baseImage, "baseImage");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, was " + port);
        }
        command = command == null ? List.of() : List.copyOf(command);
        // sorted: the config's Env list comes out the same whatever order the manifest gave
        env = env == null ? Map.of() : new TreeMap<>(env);
    }

    /** A built artifact. */
    public sealed interface Artifact permits RunnableJar, StaticSite, CommandArtifact {
    }

    /**
     * A jar that {@code java -jar} runs (a shaded jar, Spring Boot's): one layer, {@code /app/app.jar};
     * a Spring Boot jar with a {@code layers.idx} and no run command is exploded into {@code /app},
     * one layer per index layer.
     */
    public record RunnableJar(Path jar) implements Artifact {
        public RunnableJar {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("not a file: " + jar);
            }
        }
    }

    /** A directory of static files: one layer, under {@code /srv/www}, served by the base image's server. */
    public record StaticSite(Path directory) implements Artifact {
        public StaticSite {
            if (!Files.isDirectory(directory)) {
                throw new IllegalArgumentException("not a directory: " + directory);
            }
        }
    }

    /**
     * What a {@code command} app's build left: a file or a directory, put at {@code /app/<path>}
     * (its path in the repository), with {@code /app} as the working directory, so that the run
     * command finds it where the build did. Files keep whether they are executable, nothing else.
     */
    public record CommandArtifact(Path root, String path) implements Artifact {
        public CommandArtifact {
            if (!Files.exists(root.resolve(path))) {
                throw new IllegalArgumentException("no such artifact: " + path);
            }
        }
    }
}
