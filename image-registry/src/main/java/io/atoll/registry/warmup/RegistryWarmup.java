package io.atoll.registry.warmup;

import io.atoll.registry.auth.RegistryAccess;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.RegistryStorage;
import io.atoll.warmup.StartupWarmup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Pushes and pulls a small synthetic image through the registry's own HTTP port before it reports
 * ready. A freshly started JVM interprets the upload and download paths (request parsing, the
 * SHA-256 of every byte, the copy loops to and from storage) until the JIT has compiled them;
 * without this, the first push to a just (re)started registry runs at a fraction of its speed
 * (docs/benchmarks.md, "Registry cold start").
 *
 * <p>Once the port is open, {@code clients} threads each push a random layer of
 * {@code blob-size} bytes the ways clients do (a chunked PATCH, a monolithic PUT, a single POST,
 * two PATCHes with Content-Range, a cancelled upload), a config and a manifest, then read them
 * back (HEAD and GET, a range, by tag and by digest, the tag list, the 404 of a missing blob)
 * and check the digest of what they read, in rounds. The repository, and the login it uses when
 * authentication is on, carry 128 random bits made at each start and never logged, so no client
 * can name them. It ends when the JIT has gone quiet (after at least {@code min-duration}), after
 * {@code max-duration}, or when the registry stops. Then the login is revoked and everything the
 * rounds stored is removed from storage: the repository's manifests, tags and links, its
 * upload sessions and the blobs (whose random bytes no other repository can share). The thread,
 * readiness and stop are {@link StartupWarmup}'s; it stops before the web server's graceful
 * shutdown, so its clients end against an open port.
 */
public class RegistryWarmup extends StartupWarmup implements ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(RegistryWarmup.class);

    /**
     * Looked at once a second: quiet after two seconds in a row under this much compiling. Not the
     * gateway's 10 ms: the registry's long tail of Spring and Tomcat methods keeps C1 and C2 busy
     * for over 45 s (50-150 compilations a second), while the byte paths a push and a pull spend
     * their time in are compiled in the first seconds.
     */
    private static final long QUIET_COMPILE_MILLIS_PER_SECOND = 50;
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final int PIECE = 64 * 1024;

    private final WarmupProperties properties;
    private final RegistryAccess access;
    private final RegistryStorage storage;
    private final Environment environment;
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    /** The registry's own port, from its web server's start (0: none, as in a context without one). */
    private volatile int port;
    /** Set when the rounds are to end: the warm-up is over or the registry stops. */
    private volatile boolean over;

    public RegistryWarmup(WarmupProperties properties, RegistryAccess access, RegistryStorage storage,
            Environment environment) {
        super("atoll-registry-warmup", Duration.ofSeconds(40));
        this.properties = properties;
        this.access = access;
        this.storage = storage;
        this.environment = environment;
        if (!properties.enabled() || properties.maxDuration().isZero()) {
            // Decided here, not when the port opens: a context without a web server is ready too.
            skip("disabled");
        }
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        // The management server, when it has a port of its own, has a namespace: not the registry's port.
        if (!StringUtils.hasText(event.getApplicationContext().getServerNamespace())) {
            port = event.getWebServer().getPort();
        }
    }

    /** After the web server has started (and told its port), before its graceful shutdown on the way down. */
    @Override
    public void start() {
        if (environment.getProperty("server.ssl.enabled", Boolean.class, false)) {
            // Its client would have to trust the registry's certificate; TLS is the edge's job in Atoll.
            skip("disabled: TLS on the registry's port");
        } else if (port <= 0) {
            skip("disabled: no web server");
        } else {
            launch();
        }
    }

    @Override
    public int getPhase() {
        return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1;
    }

    @Override
    protected Map<String, Object> counts() {
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("rounds", rounds.get());
        counts.put("failed", failures.get());
        counts.put("bytes", bytes.get());
        return counts;
    }

    @Override
    protected String summary() {
        return rounds + " rounds (" + failures + " failed), " + (bytes.get() >> 20) + " MiB up and down";
    }

    @Override
    protected String warmUp(long started) {
        SecureRandom random = new SecureRandom();
        String token = HexFormat.of().formatHex(random.generateSeed(16));
        RepositoryName repository = new RepositoryName("atoll-warmup-" + token);
        String authorization = null;
        if (access.enabled()) {
            String user = "atoll-warmup-" + HexFormat.of().formatHex(random.generateSeed(16));
            String password = HexFormat.of().formatHex(random.generateSeed(32));
            access.grantPrivately(user, password, repository);
            authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        List<Digest> made = new ArrayList<>();
        List<Thread> clients = new ArrayList<>();
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            URI base = URI.create("http://" + host() + ":" + port);
            for (int i = 0; i < properties.clients(); i++) {
                Client client = new Client(http, base, authorization, repository, "w" + i, new Random(random.nextLong()));
                synchronized (made) {
                    made.addAll(client.digests());
                }
                Thread worker = new Thread(client, "atoll-registry-warmup-" + i);
                worker.setDaemon(true);
                clients.add(worker);
                worker.start();
            }
            return until(started, properties.minDuration(), properties.maxDuration(), QUIET_COMPILE_MILLIS_PER_SECOND,
                    () -> failures.get() > 100 && failures.get() > rounds.get() ? "failing requests" : null);
        } finally {
            over = true;
            for (Thread worker : clients) {
                try {
                    worker.join(TimeUnit.SECONDS.toMillis(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            access.revokePrivately();
            removeAll(repository, made);
        }
    }

    private String host() {
        String address = environment.getProperty("server.address");
        InetAddress bound = null;
        if (StringUtils.hasText(address)) {
            try {
                bound = InetAddress.getByName(address);
            } catch (IOException e) {
                bound = null;
            }
        }
        InetAddress target = bound == null || bound.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound;
        String literal = target.getHostAddress();
        return literal.contains(":") ? "[" + literal + "]" : literal;
    }

    /** Straight in storage, as the API would leave the blobs to garbage collection an hour later. */
    private void removeAll(RepositoryName repository, List<Digest> blobs) {
        try {
            storage.listUploads().stream().filter(upload -> upload.repository().equals(repository))
                    .forEach(upload -> storage.deleteUpload(upload.uploadId()));
            storage.deleteRepository(repository);
            blobs.forEach(storage::deleteBlob);
        } catch (RuntimeException e) {
            log.warn("Registry warm-up could not remove all it stored; garbage collection will take the rest", e);
        }
    }

    /** One synthetic client: its own layer, config and tag; pushes and pulls them in rounds. */
    private final class Client implements Runnable {

        private final HttpClient http;
        private final URI base;
        private final String authorization;
        private final String repository;
        private final String tag;
        private final byte[] layer;
        private final List<byte[]> pieces = new ArrayList<>();
        private final Digest layerDigest;
        private final byte[] config;
        private final Digest configDigest;
        private final byte[] manifest;
        private final Digest manifestDigest;
        private final Digest missing;

        Client(HttpClient http, URI base, String authorization, RepositoryName repository, String tag, Random random) {
            this.http = http;
            this.base = base;
            this.authorization = authorization;
            this.repository = repository.value();
            this.tag = tag;
            layer = new byte[(int) properties.blobSize().toBytes()];
            random.nextBytes(layer);
            layerDigest = Digest.of(layer);
            for (int at = 0; at < layer.length; at += PIECE) {
                pieces.add(Arrays.copyOfRange(layer, at, Math.min(layer.length, at + PIECE)));
            }
            config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                    + layerDigest + "\"]},\"config\":{\"Labels\":{\"atoll.warmup\":\"" + random.nextLong() + "\"}}}")
                    .getBytes(StandardCharsets.UTF_8);
            configDigest = Digest.of(config);
            manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"" + OCI_CONFIG
                    + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\""
                    + OCI_LAYER + "\",\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}")
                    .getBytes(StandardCharsets.UTF_8);
            manifestDigest = Digest.of(manifest);
            byte[] nothing = new byte[32];
            random.nextBytes(nothing);
            missing = Digest.fromHash(nothing);
        }

        List<Digest> digests() {
            return List.of(layerDigest, configDigest);
        }

        @Override
        public void run() {
            while (!over) {
                try {
                    round();
                    rounds.incrementAndGet();
                } catch (IOException | RuntimeException e) {
                    failures.incrementAndGet();
                    log.debug("Registry warm-up round failed", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private void round() throws IOException, InterruptedException {
            String blobs = "/v2/" + repository + "/blobs/";
            expect(200, send(request("/v2/").GET()));
            // What docker and skopeo ask before pushing a layer: does the registry have it?
            expect(404, send(request(blobs + missing).method("HEAD", BodyPublishers.noBody())));
            expect(List.of(200, 404), send(request(blobs + layerDigest).method("HEAD", BodyPublishers.noBody())));

            // The whole layer in a PATCH without a length (chunked, in 64 KiB pieces, as skopeo streams it), then PUT ?digest=
            String upload = location(expect(202, send(request(blobs + "uploads/").POST(BodyPublishers.noBody()))));
            upload = location(expect(202, send(request(upload).method("PATCH", BodyPublishers.ofByteArrays(pieces))
                    .header("Content-Type", "application/octet-stream"))));
            expect(201, send(request(withDigest(upload, layerDigest)).PUT(BodyPublishers.noBody())));
            bytes.addAndGet(layer.length);

            // Monolithic: the whole layer in the closing PUT (containerd, jib)
            upload = location(expect(202, send(request(blobs + "uploads/").POST(BodyPublishers.noBody()))));
            expect(201, send(request(withDigest(upload, layerDigest)).PUT(BodyPublishers.ofByteArray(layer))
                    .header("Content-Type", "application/octet-stream")));
            bytes.addAndGet(layer.length);

            // OCI chunks: two PATCHes with Content-Range, then the PUT
            int half = layer.length / 2;
            upload = location(expect(202, send(request(blobs + "uploads/").POST(BodyPublishers.noBody()))));
            upload = location(expect(202, send(request(upload).method("PATCH", BodyPublishers.ofByteArray(layer, 0, half))
                    .header("Content-Type", "application/octet-stream").header("Content-Range", "0-" + (half - 1)))));
            upload = location(expect(202, send(request(upload)
                    .method("PATCH", BodyPublishers.ofByteArray(layer, half, layer.length - half))
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", half + "-" + (layer.length - 1)))));
            expect(204, send(request(upload).GET()));
            expect(201, send(request(withDigest(upload, layerDigest)).PUT(BodyPublishers.noBody())));
            bytes.addAndGet(layer.length);

            // An upload given up
            upload = location(expect(202, send(request(blobs + "uploads/").POST(BodyPublishers.noBody()))));
            expect(204, send(request(upload).DELETE()));

            // The config in one POST ?digest=, the manifest by tag
            expect(201, send(request(blobs + "uploads/?digest=" + configDigest).POST(BodyPublishers.ofByteArray(config))
                    .header("Content-Type", "application/octet-stream")));
            String manifests = "/v2/" + repository + "/manifests/";
            expect(201, send(request(manifests + tag).PUT(BodyPublishers.ofByteArray(manifest))
                    .header("Content-Type", OCI_MANIFEST)));

            // The pull: manifest by tag (HEAD, then GET by digest), config, layer, a range of it
            String accept = OCI_MANIFEST + ", application/vnd.oci.image.index.v1+json, "
                    + "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";
            expect(200, send(request(manifests + tag).method("HEAD", BodyPublishers.noBody()).header("Accept", accept)));
            expectDigest(manifestDigest, request(manifests + manifestDigest).GET().header("Accept", accept));
            expect(404, send(request(manifests + "missing").GET().header("Accept", accept)));
            expectDigest(configDigest, request(blobs + configDigest).GET());
            expectDigest(layerDigest, request(blobs + layerDigest).GET());
            bytes.addAndGet(layer.length);
            expect(206, send(request(blobs + layerDigest).GET().header("Range", "bytes=" + half + "-")));
            expect(200, send(request("/v2/" + repository + "/tags/list").GET()));
        }

        private HttpRequest.Builder request(String pathAndQuery) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(30));
            if (authorization != null) {
                builder.header("Authorization", authorization);
            }
            return builder;
        }

        private HttpResponse<Void> send(HttpRequest.Builder request) throws IOException, InterruptedException {
            // Only status and headers matter here; a body (the range, an error) is read and dropped.
            return http.send(request.build(), BodyHandlers.discarding());
        }

        /** The body streamed and hashed as it arrives, as a pulling client does. */
        private void expectDigest(Digest expected, HttpRequest.Builder request) throws IOException, InterruptedException {
            HttpResponse<InputStream> response = http.send(request.build(), BodyHandlers.ofInputStream());
            MessageDigest hasher = Digest.newHasher();
            try (InputStream body = new DigestInputStream(response.body(), hasher)) {
                body.transferTo(OutputStream.nullOutputStream());
            }
            if (response.statusCode() != 200 || !Digest.fromHash(hasher.digest()).equals(expected)) {
                throw new IOException(request.build().method() + " " + response.uri().getPath() + " answered "
                        + response.statusCode() + " or other bytes than " + expected);
            }
        }

        private HttpResponse<Void> expect(int status, HttpResponse<Void> response) throws IOException {
            return expect(List.of(status), response);
        }

        private HttpResponse<Void> expect(List<Integer> statuses, HttpResponse<Void> response) throws IOException {
            if (!statuses.contains(response.statusCode())) {
                throw new IOException(response.request().method() + " " + response.uri().getPath() + " answered "
                        + response.statusCode() + ", not " + statuses);
            }
            return response;
        }

        private String location(HttpResponse<Void> response) throws IOException {
            return response.headers().firstValue("Location")
                    .orElseThrow(() -> new IOException(response.uri().getPath() + " answered without a Location"));
        }

        private static String withDigest(String location, Digest digest) {
            return location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
        }
    }
}
