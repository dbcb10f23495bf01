package io.atoll.build.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.AuthConfigurations;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import io.atoll.build.image.RegistryProperties;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a repository's Dockerfile with the engine and pushes the image to Atoll's registry: the
 * {@code dockerfile} type. The engine's build runs its {@code RUN} steps with no network unless
 * {@code atoll.build.builder.network} names one, within the builder's memory and time limits,
 * and pulls nothing on its own ({@code FROM} must name an image the engine has, or one in Atoll's
 * registry, which it reaches with build-service's registry login). The image is removed from the
 * engine once pushed: the registry holds it.
 */
public class DockerfileBuilds {

    private static final Logger log = LoggerFactory.getLogger(DockerfileBuilds.class);

    private final DockerClient docker;
    private final BuilderProperties builder;
    private final RegistryProperties registry;

    public DockerfileBuilds(DockerClient docker, BuilderProperties builder, RegistryProperties registry) {
        this.docker = docker;
        this.builder = builder;
        this.registry = registry;
    }

    /** Why a Dockerfile build or its push failed, in the engine's words. */
    public static final class Failed extends Exception {
        public Failed(String message) {
            super(message);
        }
    }

    /**
     * @param context the checkout, holding {@code Dockerfile} at its root
     * @return the pushed image's digest
     */
    public String buildAndPush(Path context, String app, String tag, Consumer<String> output)
            throws InterruptedException, Failed {
        Path dockerfile = context.resolve("Dockerfile");
        if (!Files.isRegularFile(dockerfile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new Failed("type dockerfile needs a Dockerfile at the repository's root");
        }
        String repository = registry.host() + "/" + app;
        String image = repository + ":" + tag;
        AtomicReference<String> error = new AtomicReference<>();
        AuthConfig auth = auth();
        AuthConfigurations auths = new AuthConfigurations();
        if (auth != null) {
            auths.addConfig(auth);
        }
        ResultCallback.Adapter<BuildResponseItem> build = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(BuildResponseItem item) {
                if (item.getStream() != null) {
                    item.getStream().lines().filter(line -> !line.isBlank()).forEach(output);
                }
                if (item.isErrorIndicated()) {
                    error.set(item.getErrorDetail() != null ? item.getErrorDetail().getMessage() : item.getError());
                }
            }
        };
        try {
            docker.buildImageCmd()
                    .withBaseDirectory(context.toFile())
                    .withDockerfile(dockerfile.toFile())
                    .withTags(java.util.Set.of(image))
                    .withPull(false)
                    .withNetworkMode(builder.network())
                    .withMemory(builder.memory().toBytes())
                    .withMemswap(builder.memory().toBytes())
                    .withForcerm(true)
                    .withBuildAuthConfigs(auths)
                    .exec(build);
            if (!build.awaitCompletion(builder.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new Failed("the Dockerfile build ran longer than " + builder.timeout()
                        + " (atoll.build.builder.timeout) and was stopped");
            }
            if (error.get() != null) {
                throw new Failed("the Dockerfile build failed: " + error.get());
            }
            return push(repository, tag, auth, output);
        } catch (DockerClientException e) {
            throw new Failed("the engine refused the build: " + e.getMessage());
        } finally {
            // closing the stream makes the engine stop a build still running (cancel, timeout)
            close(build);
            removeQuietly(image);
        }
    }

    private String push(String repository, String tag, AuthConfig auth, Consumer<String> output)
            throws InterruptedException, Failed {
        AtomicReference<String> digest = new AtomicReference<>();
        AtomicReference<String> error = new AtomicReference<>();
        ResultCallback.Adapter<PushResponseItem> push = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(PushResponseItem item) {
                if (item.isErrorIndicated()) {
                    error.set(item.getErrorDetail() != null ? item.getErrorDetail().getMessage() : item.getError());
                }
                if (item.getAux() != null && item.getAux().getDigest() != null) {
                    digest.set(item.getAux().getDigest());
                }
            }
        };
        output.accept("[atoll] pushing " + repository + ":" + tag);
        var command = docker.pushImageCmd(repository).withTag(tag);
        if (auth != null) {
            command.withAuthConfig(auth);
        }
        try {
            command.exec(push);
            if (!push.awaitCompletion(builder.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new Failed("pushing the image took longer than " + builder.timeout());
            }
        } finally {
            close(push);
        }
        if (error.get() != null || digest.get() == null) {
            throw new Failed("the registry refused the image: " + (error.get() == null ? "no digest" : error.get()));
        }
        return digest.get();
    }

    private AuthConfig auth() {
        if (!registry.hasCredentials()) {
            return null;
        }
        return new AuthConfig().withRegistryAddress(registry.host()).withUsername(registry.username())
                .withPassword(registry.password());
    }

    private void removeQuietly(String image) {
        try {
            docker.removeImageCmd(image).withForce(true).exec();
        } catch (RuntimeException e) {
            log.debug("Image {} not removed", image, e);
        }
    }

    private static void close(Closeable callback) {
        try {
            callback.close();
        } catch (IOException e) {
            // over either way
        }
    }
}
