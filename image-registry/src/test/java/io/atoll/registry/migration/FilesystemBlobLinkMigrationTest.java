package io.atoll.registry.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.DockerCli;
import io.atoll.registry.RegistryClient;
import io.atoll.registry.TestFiles;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.FilesystemRegistryStorage;
import io.atoll.registry.storage.RegistryStorage.BlobLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * The upgrade from layout 1 on the filesystem, and with a real client: an image docker pushed,
 * taken back to layout 1 (links and layout-version gone, as the registry before links left its
 * storage), is migrated and pulled again by docker, its own layer included.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("dev")
class FilesystemBlobLinkMigrationTest extends BlobLinkMigrationContract {

    private static final Path ROOT = TestFiles.freshStorageRoot("registry-migration-test");
    private static final Pattern PUSHED_DIGEST = Pattern.compile("digest: (sha256:[a-f0-9]{64}) size: \\d+");

    @DynamicPropertySource
    static void layoutOneDirectory(DynamicPropertyRegistry registry) {
        writeLayoutOne(new FilesystemRegistryStorage(ROOT));
        registry.add("atoll.registry.storage.root", ROOT::toString);
    }

    @Test
    void anImageDockerPushedBeforeLinksPullsAfterTheMigration(@TempDir Path context) throws IOException {
        DockerCli.requireEngine();
        DockerCli cli = new DockerCli();
        DockerCli.Result build = cli.run(null, "bash", "../demo/build-images.sh");
        assertThat(build.exit()).as("demo/build-images.sh: %s", build.output()).isZero();
        String token = UUID.randomUUID().toString();
        Files.writeString(context.resolve("token"), token);
        Files.writeString(context.resolve("Dockerfile"), "FROM atoll/hello:local\nCOPY token /token\n");
        String repository = "127.0.0.1:" + port + "/legacy/hello";
        String tagged = repository + ":" + token.substring(0, 8);
        DockerCli.Result built = cli.run(null, java.util.Map.of("DOCKER_BUILDKIT", "0"), "docker", "build", "-q", "-t", tagged, context.toString());
        assertThat(built.exit()).as(built.output()).isZero();
        String byDigest = null;
        try {
            Matcher pushed = PUSHED_DIGEST.matcher(cli.docker("push", tagged));
            assertThat(pushed.find()).isTrue();
            byDigest = repository + "@" + pushed.group(1);

            RepositoryName legacy = new RepositoryName("legacy/hello");
            List<BlobLink> links = storage.listBlobLinks().stream().filter(link -> link.repository().equals(legacy)).toList();
            assertThat(links).as("config and two layers").hasSizeGreaterThanOrEqualTo(3);
            links.forEach(link -> storage.unlinkBlob(link.repository(), link.digest()));
            storage.writeLayoutVersion(1);
            assertThat(new RegistryClient(port).head("/v2/legacy/hello/blobs/" + links.get(0).digest()).statusCode())
                    .as("without its links the image would not pull").isEqualTo(404);

            assertThat(migration.migrate()).isGreaterThanOrEqualTo(links.size());
            cli.docker("rmi", tagged);
            cli.docker("pull", byDigest);
            assertThat(cli.docker("run", "--rm", byDigest, "cat", "/token").trim()).isEqualTo(token);
        } finally {
            cli.tryDocker("rmi", "-f", tagged);
            if (byDigest != null) {
                cli.tryDocker("rmi", "-f", byDigest);
            }
        }
    }

    @AfterAll
    static void removeStorage() {
        FileSystemUtils.deleteRecursively(ROOT.getParent().toFile());
    }
}
