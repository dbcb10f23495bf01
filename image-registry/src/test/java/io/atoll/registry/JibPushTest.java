package io.atoll.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.DockerDaemonImage;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * jib-core, a client with its own HTTP stack and push logic, builds an image on top of
 * atoll/busybox:local (read from the engine with {@code docker save}) plus a layer of its own,
 * and pushes it with credentials to the registry running with auth as in production. The docker
 * CLI then pulls the image back and runs it, which proves every layer and the config arrived.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class JibPushTest {

    private static final Path ROOT = TestFiles.freshStorageRoot("registry-jib-test");
    private static final String PASSWORD = "jib-" + UUID.randomUUID();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("atoll.registry.storage.root", ROOT::toString);
        registry.add("atoll.registry.auth.users.ci.password-hash", () -> new BCryptPasswordEncoder(4).encode(PASSWORD));
        registry.add("atoll.registry.auth.users.ci.push[0]", () -> "jib");
    }

    @LocalServerPort
    int port;

    @AfterAll
    static void cleanUp() {
        FileSystemUtils.deleteRecursively(ROOT.getParent().toFile());
    }

    @Test
    void jibPushesAnImageThatDockerPullsAndRuns(@TempDir Path dir) throws Exception {
        DockerCli.requireEngine();
        DockerCli.Result build = new DockerCli().run(null, "bash", "../demo/build-images.sh");
        assertThat(build.exit()).as("demo/build-images.sh: %s", build.output()).isZero();

        String token = UUID.randomUUID().toString();
        Path tokenFile = Files.writeString(Files.createDirectories(dir.resolve("layer")).resolve("token"), token);
        String host = "127.0.0.1:" + port;
        String image = host + "/jib/app:" + token.substring(0, 8);

        // Jib refuses to send credentials over plain HTTP unless told to; the registry has no TLS of its own.
        String previous = System.setProperty("sendCredentialsOverHttp", "true");
        JibContainer pushed;
        try {
            pushed = Jib.from(DockerDaemonImage.named("atoll/busybox:local"))
                    .addLayer(List.of(tokenFile), AbsoluteUnixPath.get("/"))
                    .setEntrypoint("cat", "/token")
                    .setFormat(ImageFormat.OCI)
                    .containerize(Containerizer.to(RegistryImage.named(image).addCredential("ci", PASSWORD))
                            .setAllowInsecureRegistries(true)
                            .setBaseImageLayersCache(dir.resolve("cache/base"))
                            .setApplicationLayersCache(dir.resolve("cache/app")));
        } finally {
            if (previous == null) {
                System.clearProperty("sendCredentialsOverHttp");
            } else {
                System.setProperty("sendCredentialsOverHttp", previous);
            }
        }
        String digest = pushed.getDigest().toString();

        RegistryClient registry = new RegistryClient(port);
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString(("ci:" + PASSWORD).getBytes());
        HttpResponse<byte[]> head = registry.head("/v2/jib/app/manifests/" + token.substring(0, 8),
                "Authorization", auth, "Accept", "application/vnd.oci.image.manifest.v1+json");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        assertThat(head.headers().firstValue("Content-Type")).hasValue("application/vnd.oci.image.manifest.v1+json");

        Path dockerConfig = Files.createDirectories(dir.resolve("docker-config"));
        DockerCli docker = new DockerCli(dockerConfig);
        String byDigest = host + "/jib/app@" + digest;
        try {
            DockerCli.Result login = docker.dockerWithInput(PASSWORD + "\n", "login", "-u", "ci", "--password-stdin", host);
            assertThat(login.exit()).as(login.output()).isZero();
            docker.docker("pull", byDigest);
            assertThat(docker.docker("image", "inspect", "--format", "{{len .RootFS.Layers}}", byDigest).trim())
                    .as("busybox's layer and jib's").isEqualTo("2");
            assertThat(docker.docker("run", "--rm", byDigest).trim()).isEqualTo(token);
        } finally {
            docker.tryDocker("rmi", "-f", byDigest);
        }
    }
}
