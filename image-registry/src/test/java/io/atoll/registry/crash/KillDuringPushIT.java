package io.atoll.registry.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.PackagedRegistry;
import io.atoll.registry.RegistryClient;
import io.atoll.registry.TestFiles;
import io.atoll.registry.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;

/**
 * Acceptance: a registry killed with {@code kill -9} in the middle of a push, then restarted on
 * the same storage, shows no partial blob, and the same push then succeeds. Runs the packaged
 * jar as its own process (failsafe, after {@code package}) because SIGKILL must hit a real JVM
 * with nothing of the test's in it.
 */
class KillDuringPushIT {

    private static final String REPO = "crash/app";
    private static final int MIB = 1024 * 1024;

    private final Path root = TestFiles.freshStorageRoot("registry-kill-test");
    private final Path log = root.resolveSibling("registry.log");
    private final PackagedRegistry jar = new PackagedRegistry(log);
    private final RegistryClient registry = jar.client();
    private Process process;

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
        FileSystemUtils.deleteRecursively(root.getParent().toFile());
    }

    @Test
    void killedMidUploadShowsNoPartialBlobAndThePushThenSucceeds() throws Exception {
        byte[] layer = new byte[24 * MIB];
        new Random(42).nextBytes(layer);
        Digest layerDigest = Digest.of(layer);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] manifest = manifest(Digest.of(config), config.length, layerDigest, layer.length);

        process = start();
        String upload = registry.location(expect(202, registry.post("/v2/" + REPO + "/blobs/uploads/", null)));
        expect(202, registry.patch(upload, Arrays.copyOfRange(layer, 0, 8 * MIB), "Content-Type", "application/octet-stream"));

        // The second chunk's body stops half-way and stays open: the registry is killed while reading it.
        CountDownLatch killed = new CountDownLatch(1);
        CountDownLatch halfSent = new CountDownLatch(1);
        InputStream halfThenHang = new InputStream() {
            private int next = 8 * MIB;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (next >= 12 * MIB) {
                    halfSent.countDown();
                    try {
                        killed.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("the registry was killed");
                }
                int n = Math.min(len, 12 * MIB - next);
                System.arraycopy(layer, next, b, off, n);
                next += n;
                return n;
            }
        };
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<Void>> midUpload = http.sendAsync(
                HttpRequest.newBuilder(URI.create(registry.base() + upload))
                        .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> halfThenHang))
                        .header("Content-Type", "application/octet-stream").build(),
                HttpResponse.BodyHandlers.discarding());
        if (showsBytesOfAChunkInProgress()) {
            long received = awaitUploadGrowsBeyond(upload, 8 * MIB);
            assertThat(received).as("bytes of the interrupted chunk stored").isGreaterThan(8L * MIB)
                    .isLessThanOrEqualTo(12L * MIB);
        } else {
            assertThat(halfSent.await(30, TimeUnit.SECONDS)).as("half of the second chunk sent").isTrue();
            Thread.sleep(500); // for the registry to take those bytes off the socket
        }
        assertThat(midUpload).isNotDone();

        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no flush, no cleanup
        killed.countDown();
        assertThat(midUpload).failsWithin(Duration.ofSeconds(30));

        process = start();
        String blob = "/v2/" + REPO + "/blobs/" + layerDigest;
        assertThat(registry.head(blob).statusCode()).as("partial blob after the restart").isEqualTo(404);
        assertThat(registry.get(blob).statusCode()).isEqualTo(404);
        assertThat(registry.head("/v2/" + REPO + "/manifests/1").statusCode()).isEqualTo(404);
        // The interrupted upload survives as an upload (never as a blob) until cancelled or purged.
        assertThat(registry.send("DELETE", upload, null).statusCode()).isEqualTo(204);

        // The same push, from the start, as a client retrying would do it.
        pushBlob(layer, layerDigest, 4 * MIB);
        pushBlob(config, Digest.of(config), config.length);
        HttpResponse<byte[]> put = registry.put("/v2/" + REPO + "/manifests/1", manifest,
                "Content-Type", "application/vnd.oci.image.manifest.v1+json");
        expect(201, put);

        HttpResponse<byte[]> pulled = registry.get(blob);
        assertThat(pulled.statusCode()).isEqualTo(200);
        assertThat(Digest.of(pulled.body())).isEqualTo(layerDigest);
        HttpResponse<byte[]> byTag = registry.get("/v2/" + REPO + "/manifests/1",
                "Accept", "application/vnd.oci.image.manifest.v1+json");
        assertThat(byTag.statusCode()).isEqualTo(200);
        assertThat(byTag.body()).isEqualTo(manifest);
    }

    private void pushBlob(byte[] content, Digest digest, int chunk) {
        String upload = registry.location(expect(202, registry.post("/v2/" + REPO + "/blobs/uploads/", null)));
        for (int start = 0; start < content.length; start += chunk) {
            int end = Math.min(content.length, start + chunk);
            upload = registry.location(expect(202, registry.patch(upload, Arrays.copyOfRange(content, start, end),
                    "Content-Type", "application/octet-stream", "Content-Range", start + "-" + (end - 1))));
        }
        String separator = upload.contains("?") ? "&" : "?";
        expect(201, registry.put(upload + separator + "digest=" + digest, null));
        assertThat(registry.head("/v2/" + REPO + "/blobs/" + digest).statusCode()).isEqualTo(200);
    }

    private long awaitUploadGrowsBeyond(String upload, long size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            HttpResponse<byte[]> status = registry.get(upload);
            String range = status.headers().firstValue("Range").orElse("0-0");
            long received = Long.parseLong(range.substring(range.indexOf('-') + 1)) + 1;
            if (received > size) {
                return received;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the interrupted chunk never reached the registry's disk");
    }

    private Process start() throws IOException, InterruptedException {
        return jar.start(storageArguments(root));
    }

    /** Where the registry under test keeps its data; it must outlive the registry's process. */
    protected String[] storageArguments(Path root) {
        return new String[] {"--atoll.registry.storage.root=" + root};
    }

    /**
     * The filesystem appends a chunk to the upload's file as it arrives, so the upload status
     * shows the half-received chunk before the kill; S3 stores whole segments only.
     */
    protected boolean showsBytesOfAChunkInProgress() {
        return true;
    }

    private static byte[] manifest(Digest config, int configSize, Digest layer, int layerSize) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config
                + "\",\"size\":" + configSize + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"" + layer + "\",\"size\":" + layerSize + "}]}").getBytes(StandardCharsets.UTF_8);
    }

    private static HttpResponse<byte[]> expect(int status, HttpResponse<byte[]> response) {
        assertThat(response.statusCode()).as("%s", new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(status);
        return response;
    }
}
