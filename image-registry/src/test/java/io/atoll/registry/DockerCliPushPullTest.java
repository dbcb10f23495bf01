package io.atoll.registry;

import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The real docker CLI pushes to and pulls from the registry. The engine speaks plain HTTP to
 * registries on 127.0.0.0/8, so a random port on 127.0.0.1 needs no daemon configuration.
 * Fails, never skips, when there is no Docker engine. Storage is looked at only through the
 * {@link RegistryStorage} bean, so {@code S3DockerCliPushPullTest} runs the same on S3.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("dev")
class DockerCliPushPullTest {

    private static final Path ROOT = TestFiles.freshStorageRoot("registry-docker-test");
    private static final Pattern PUSHED_DIGEST = Pattern.compile("digest: (sha256:[a-f0-9]{64}) size: \\d+");
    private static final List<String> createdImages = new ArrayList<>();
    private static final DockerCli CLI = new DockerCli();

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        registry.add("atoll.registry.storage.root", ROOT::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    RegistryStorage storage;

    @BeforeAll
    static void images() {
        DockerCli.requireEngine();
        DockerCli.Result build = run(List.of("bash", "../demo/build-images.sh"));
        assertThat(build.exit()).as("demo/build-images.sh: %s", build.output()).isZero();
    }

    @AfterAll
    static void removeImages() {
        for (String image : createdImages) {
            run(List.of("docker", "rmi", "-f", image));
        }
        createdImages.clear();
        org.springframework.util.FileSystemUtils.deleteRecursively(ROOT.getParent().toFile());
    }

    @Test
    void pushesAndPullsAMultiLayerImageByTagAndByDigest() throws IOException {
        String repository = "127.0.0.1:" + port + "/demo/hello";
        String tagged = repository + ":1";
        String localId = docker("image", "inspect", "--format", "{{.Id}}", "atoll/hello:local").trim();
        assertThat(docker("image", "inspect", "--format", "{{len .RootFS.Layers}}", "atoll/hello:local").trim()).isEqualTo("2");

        docker("tag", "atoll/hello:local", tagged);
        createdImages.add(tagged);
        String digest = pushedDigest(docker("push", tagged));
        assertThat(storage.listBlobs()).as("two layers and a config in %s", storage.describe()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(storage.readTag(new RepositoryName("demo/hello"), "1")).map(Object::toString).hasValue(digest);

        // What platform-api does to resolve a tag to the digest the push reported.
        HttpResponse<byte[]> head = new RegistryClient(port).head("/v2/demo/hello/manifests/1", "Accept",
                "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, "
                        + "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(digest);

        docker("rmi", tagged);
        assertThat(run(List.of("docker", "image", "inspect", tagged)).exit()).isNotZero();

        docker("pull", tagged);
        String byDigest = repository + "@" + digest;
        createdImages.add(byDigest);
        docker("pull", byDigest);

        assertThat(docker("image", "inspect", "--format", "{{.Id}}", tagged).trim()).isEqualTo(localId);
        assertThat(docker("image", "inspect", "--format", "{{.Id}}", byDigest).trim()).isEqualTo(localId);
        assertThat(docker("image", "inspect", "--format", "{{json .RepoDigests}}", tagged)).contains(byDigest);
    }

    /**
     * atoll/hello:local stays on the engine (other tests need it), so its layers are never
     * downloaded again above. This image has a layer of its own; once removed from the engine,
     * pulling and running it proves the layer's bytes came back from the registry.
     */
    @Test
    void anImageRemovedFromTheEngineComesBackWholeFromTheRegistry(@TempDir Path context) throws IOException {
        String token = UUID.randomUUID().toString();
        Files.writeString(context.resolve("token"), token);
        Files.writeString(context.resolve("Dockerfile"), "FROM atoll/hello:local\nCOPY token /token\n");
        String tagged = "127.0.0.1:" + port + "/demo/unique:" + token.substring(0, 8);
        createdImages.add(tagged);
        DockerCli.Result build = run(List.of("docker", "build", "-q", "-t", tagged, context.toString()), "DOCKER_BUILDKIT", "0");
        assertThat(build.exit()).as(build.output()).isZero();
        String imageId = docker("image", "inspect", "--format", "{{.Id}}", tagged).trim();

        String digest = pushedDigest(docker("push", tagged));
        docker("rmi", tagged);
        assertThat(run(List.of("docker", "image", "inspect", imageId)).exit()).as("image removed from the engine").isNotZero();

        String byDigest = tagged.substring(0, tagged.lastIndexOf(':')) + "@" + digest;
        createdImages.add(byDigest);
        docker("pull", byDigest);
        assertThat(docker("image", "inspect", "--format", "{{.Id}}", byDigest).trim()).isEqualTo(imageId);
        assertThat(docker("run", "--rm", byDigest, "cat", "/token").trim()).isEqualTo(token);
    }

    private static String pushedDigest(String pushOutput) {
        Matcher matcher = PUSHED_DIGEST.matcher(pushOutput);
        assertThat(matcher.find()).as("push output: %s", pushOutput).isTrue();
        return matcher.group(1);
    }

    private static String docker(String... args) {
        return CLI.docker(args);
    }

    private static DockerCli.Result run(List<String> command, String... env) {
        Map<String, String> extra = new HashMap<>();
        for (int i = 0; i + 1 < env.length; i += 2) {
            extra.put(env[i], env[i + 1]);
        }
        return CLI.run(null, extra, command.toArray(String[]::new));
    }
}
