package io.atoll.registry.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.PackagedRegistry;
import io.atoll.registry.RegistryClient;
import io.atoll.registry.TestFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.time.Duration;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.UUID;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Issue 3's memory claim: a blob far larger than the heap pushes and pulls through the packaged
 * registry started with {@code -Xmx256m}, on either backend. The bytes come from a seeded
 * generator and are hashed as they stream, so the test holds no more than a buffer either.
 * Size: {@code -Datoll.test.big-blob-mib=N} (default 1024, to keep the build fast).
 */
class BigBlobIT {

    private static final long MIB = 1024 * 1024;
    private static final long SIZE = Long.getLong("atoll.test.big-blob-mib", 1024) * MIB;
    private static final String ACCESS_KEY = "big-blob";
    private static final String SECRET_KEY = "big-blob-secret";

    private final Path dir = TestFiles.freshDirectory("registry-big-blob-" + UUID.randomUUID().toString().substring(0, 8));
    private final PackagedRegistry jar = new PackagedRegistry(dir.resolve("registry.log"));
    private final RegistryClient registry = jar.client();
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;
    private S3Proxy s3proxy;

    @AfterEach
    void stop() throws Exception {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
        if (s3proxy != null) {
            s3proxy.stop();
        }
        FileSystemUtils.deleteRecursively(dir.toFile());
    }

    @Test
    void aBlobLargerThanTheHeapPushesAndPullsOnTheFilesystem() throws Exception {
        process = jar.start("--atoll.registry.storage.root=" + dir.resolve("storage"));
        pushAndPull("filesystem");
    }

    /** s3proxy keeps its objects on disk here, so only the registry's memory is in question. */
    @Test
    void aBlobLargerThanTheHeapPushesAndPullsOnS3() throws Exception {
        s3proxy = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(Files.createDirectories(dir.resolve("s3")).toString()))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .build();
        s3proxy.start();
        while (!"STARTED".equals(s3proxy.getState())) {
            Thread.sleep(10);
        }
        URI endpoint = URI.create("http://127.0.0.1:" + s3proxy.getPort());
        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build()) {
            s3.createBucket(b -> b.bucket("big"));
        }
        process = jar.start("--atoll.registry.storage.type=s3", "--atoll.registry.storage.s3.bucket=big",
                "--atoll.registry.storage.s3.endpoint=" + endpoint, "--atoll.registry.storage.s3.path-style=true",
                "--atoll.registry.storage.s3.access-key-id=" + ACCESS_KEY,
                "--atoll.registry.storage.s3.secret-access-key=" + SECRET_KEY);
        pushAndPull("s3");
    }

    /** Pushes as docker does (start, one streamed PATCH, PUT with the digest), then pulls and hashes the blob. */
    private void pushAndPull(String backend) throws Exception {
        MessageDigest pushed = sha256();
        HttpResponse<byte[]> start = registry.post("/v2/big/blob/blobs/uploads/", null);
        assertThat(start.statusCode()).isEqualTo(202);
        String upload = start.headers().firstValue("Location").orElseThrow();

        long pushStart = System.nanoTime();
        HttpResponse<String> patch = http.send(HttpRequest.newBuilder(uri(upload))
                .method("PATCH", BodyPublishers.fromPublisher(
                        BodyPublishers.ofInputStream(() -> new DigestInputStream(new Incompressible(SIZE, 42), pushed)), SIZE))
                .header("Content-Type", "application/octet-stream").build(), BodyHandlers.ofString());
        assertThat(patch.statusCode()).as(patch.body()).isEqualTo(202);
        assertThat(patch.headers().firstValue("Range")).hasValue("0-" + (SIZE - 1));
        String digest = "sha256:" + HexFormat.of().formatHex(pushed.digest());
        String location = patch.headers().firstValue("Location").orElse(upload);
        // On S3 the commit copies every segment server-side, which takes time in proportion to the size.
        long commitStart = System.nanoTime();
        HttpResponse<String> commit = http.send(HttpRequest.newBuilder(uri(location + (location.contains("?") ? "&" : "?")
                + "digest=" + digest)).PUT(BodyPublishers.noBody()).timeout(Duration.ofMinutes(10)).build(), BodyHandlers.ofString());
        assertThat(commit.statusCode()).as(commit.body()).isEqualTo(201);
        double commitSeconds = (System.nanoTime() - commitStart) / 1e9;
        double pushSeconds = (System.nanoTime() - pushStart) / 1e9;

        long pullStart = System.nanoTime();
        MessageDigest pulled = sha256();
        long received = 0;
        HttpResponse<InputStream> get = http.send(HttpRequest.newBuilder(uri("/v2/big/blob/blobs/" + digest)).build(),
                BodyHandlers.ofInputStream());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValueAsLong("Content-Length")).hasValue(SIZE);
        try (InputStream body = get.body()) {
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = body.read(buffer)) > 0; received += n) {
                pulled.update(buffer, 0, n);
            }
        }
        double pullSeconds = (System.nanoTime() - pullStart) / 1e9;
        assertThat(received).isEqualTo(SIZE);
        assertThat("sha256:" + HexFormat.of().formatHex(pulled.digest())).isEqualTo(digest);

        assertThat(process.isAlive()).isTrue();
        assertThat(registry.get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(jar.log()).doesNotContain("OutOfMemoryError");
        System.out.printf("big blob on %s: %d MiB with -Xmx256m, push %.0f MiB/s (commit %.1f s), pull %.0f MiB/s, registry peak RSS %s%n",
                backend, SIZE / MIB, SIZE / MIB / pushSeconds, commitSeconds, SIZE / MIB / pullSeconds, peakRss(process.pid()));
    }

    private URI uri(String location) {
        return URI.create(location.startsWith("http") ? location : registry.base() + location);
    }

    private static String peakRss(long pid) throws IOException {
        Path status = Path.of("/proc/" + pid + "/status");
        if (!Files.exists(status)) {
            return "unknown";
        }
        return Files.readAllLines(status).stream().filter(line -> line.startsWith("VmHWM:"))
                .map(line -> line.substring(6).trim()).findFirst().orElse("unknown");
    }

    private static MessageDigest sha256() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256");
    }

    /** {@code size} pseudo-random (so incompressible) bytes from a seed, made as they are read. */
    static final class Incompressible extends InputStream {

        private final SplittableRandom random;
        private long remaining;

        Incompressible(long size, long seed) {
            this.remaining = size;
            this.random = new SplittableRandom(seed);
        }

        @Override
        public int read() {
            if (remaining <= 0) {
                return -1;
            }
            remaining--;
            return random.nextInt(256);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            for (int i = 0; i < n; i += 8) {
                long value = random.nextLong();
                for (int j = 0; j < 8 && i + j < n; j++) {
                    b[off + i + j] = (byte) (value >>> (8 * j));
                }
            }
            remaining -= n;
            return n;
        }
    }
}
