package io.atoll.gateway.tls;

import io.atoll.crypto.KeySealer;
import io.atoll.model.HostCertificate;
import io.atoll.zk.ZkPaths;
import io.atoll.zk.ZkTreeMirror;
import io.atoll.gateway.http2.Http2Server;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.util.Mapping;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The certificates of {@code /atoll/certificates}, ready to serve: one {@link SslContext} per
 * host, built from the mirrored ZooKeeper values off the request path and swapped in whole, so a
 * new certificate is served from the next handshake without a restart. Netty's SNI handler asks
 * {@link #map} per handshake: the exact name first, then the wildcard one level up, then the
 * default certificate (which also answers clients that send no SNI name).
 *
 * <p>A value that cannot be opened or built (another encryption key, a broken chain) is logged
 * and its host served the default certificate; the others are unaffected.
 */
public class CertificateStore implements Mapping<String, SslContext>, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CertificateStore.class);

    /** What serving one host needs, swapped as one immutable snapshot. */
    record Served(Map<String, SslContext> contexts, Map<String, HostCertificate> values) {
    }

    private final CuratorFramework client;
    private final ZkPaths paths;
    private final KeySealer sealer;
    private final SslProvider provider;
    private final ApplicationProtocolConfig alpn;
    private final SslContext defaultContext;
    private final Duration initialSyncTimeout;
    private final AtomicBoolean rebuildPending = new AtomicBoolean();
    private final ExecutorService builder = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "certificates");
        thread.setDaemon(true);
        return thread;
    });
    /** Built contexts by the value they came from: an unchanged host keeps its context across rebuilds. */
    private final Map<HostCertificate, SslContext> built = new HashMap<>();
    private volatile Served served = new Served(Map.of(), Map.of());
    private volatile boolean running;
    private ZkTreeMirror<HostCertificate> mirror;

    public CertificateStore(CuratorFramework client, ZkPaths paths, KeySealer sealer, TlsProperties properties,
            Duration initialSyncTimeout, boolean http2) {
        this.client = client;
        this.paths = paths;
        this.sealer = sealer;
        this.initialSyncTimeout = initialSyncTimeout;
        this.provider = provider(properties.provider());
        this.alpn = Http2Server.alpnConfig(http2);
        this.defaultContext = defaultContext(properties, provider, alpn);
    }

    private static SslProvider provider(String configured) {
        if (configured.equals("jdk")) {
            return SslProvider.JDK;
        }
        if (OpenSsl.isAvailable()) {
            return SslProvider.OPENSSL;
        }
        if (configured.equals("openssl")) {
            throw new IllegalStateException("atoll.gateway.tls.provider=openssl, but OpenSSL (netty-tcnative) does not load"
                    + " here: " + OpenSsl.unavailabilityCause());
        }
        log.info("OpenSSL (netty-tcnative) does not load here ({}); TLS runs on the JDK's provider",
                OpenSsl.unavailabilityCause() == null ? "unknown" : OpenSsl.unavailabilityCause().toString());
        return SslProvider.JDK;
    }

    public SslProvider provider() {
        return provider;
    }

    private static SslContext defaultContext(TlsProperties properties, SslProvider provider,
            ApplicationProtocolConfig alpn) {
        try {
            if (properties.defaultCertificate() != null) {
                try (InputStream chain = Files.newInputStream(properties.defaultCertificate());
                        InputStream key = Files.newInputStream(properties.defaultKey())) {
                    return server(SslContextBuilder.forServer(chain, key), provider, alpn);
                }
            }
            log.warn("No atoll.gateway.tls.default-certificate: clients asking for a host without a certificate get a"
                    + " self-signed one made now, which no browser trusts");
            @SuppressWarnings("deprecation")
            SelfSignedCertificate self = new SelfSignedCertificate("atoll-gateway.invalid");
            try {
                return server(SslContextBuilder.forServer(self.key(), self.cert()), provider, alpn);
            } finally {
                self.delete();
            }
        } catch (Exception e) {
            throw new IllegalStateException("The default TLS certificate cannot be loaded: " + e.getMessage(), e);
        }
    }

    /**
     * Every server context is made here, so protocol settings go in one place: ALPN offers
     * {@code h2} then {@code http/1.1} (only the latter with HTTP/2 off).
     */
    private static SslContext server(SslContextBuilder builder, SslProvider provider, ApplicationProtocolConfig alpn)
            throws Exception {
        return builder.sslProvider(provider).applicationProtocolConfig(alpn).build();
    }

    /** The context for a client's SNI name; null or unknown names get the default. */
    @Override
    public SslContext map(String sniName) {
        if (sniName != null) {
            Map<String, SslContext> contexts = served.contexts();
            String name = sniName.toLowerCase(Locale.ROOT);
            SslContext exact = contexts.get(name);
            if (exact != null) {
                return exact;
            }
            int dot = name.indexOf('.');
            if (dot > 0) {
                SslContext wildcard = contexts.get("*" + name.substring(dot));
                if (wildcard != null) {
                    return wildcard;
                }
            }
        }
        return defaultContext;
    }

    /** The certificate value served for a request host (already lower case, no port), or null. */
    public HostCertificate certificateFor(String host) {
        if (host == null) {
            return null;
        }
        Map<String, HostCertificate> values = served.values();
        if (values.isEmpty()) {
            return null;
        }
        HostCertificate exact = values.get(host);
        if (exact != null) {
            return exact;
        }
        int dot = host.indexOf('.');
        return dot > 0 ? values.get("*" + host.substring(dot)) : null;
    }

    /** How many hosts have a certificate being served. */
    public int size() {
        return served.contexts().size();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        mirror = ZkTreeMirror.of(client, paths.certificates(), 1, HostCertificate.class);
        mirror.addListener((key, value) -> requestRebuild());
        mirror.start();
        running = true;
        try {
            if (!mirror.awaitInitialized(initialSyncTimeout)) {
                log.warn("Certificates not read from ZooKeeper within {}; serving the default certificate until they are",
                        initialSyncTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rebuild();
    }

    private void requestRebuild() {
        if (running && rebuildPending.compareAndSet(false, true)) {
            builder.execute(() -> {
                rebuildPending.set(false);
                rebuild();
            });
        }
    }

    private synchronized void rebuild() {
        if (!running) {
            return;
        }
        Map<String, HostCertificate> values = mirror.snapshot();
        Map<String, SslContext> contexts = new HashMap<>();
        Map<String, HostCertificate> good = new HashMap<>();
        Map<HostCertificate, SslContext> keep = new HashMap<>();
        for (Map.Entry<String, HostCertificate> entry : values.entrySet()) {
            HostCertificate value = entry.getValue();
            String host = entry.getKey();
            if (!host.equals(value.host())) {
                log.warn("Skipping the certificate at {}: it says it is for {}", host, value.host());
                continue;
            }
            SslContext context = built.get(value);
            if (context == null) {
                try {
                    context = build(value);
                    log.info("Serving certificate {} for {} (app {}, valid until {})", value.fingerprint(), host,
                            value.app(), value.notAfter());
                } catch (Exception e) {
                    // the message names the host and the key id, never key material
                    log.error("Skipping the certificate of {}: {}", host, e.getMessage());
                    continue;
                }
            }
            keep.put(value, context);
            contexts.put(host, context);
            good.put(host, value);
        }
        built.clear();
        built.putAll(keep);
        served = new Served(Map.copyOf(contexts), Map.copyOf(good));
    }

    private SslContext build(HostCertificate value) throws Exception {
        byte[] key = sealer.open(value.key(), value.host());
        try (InputStream chain = new ByteArrayInputStream(value.chainPem().getBytes(StandardCharsets.US_ASCII));
                InputStream keyStream = new ByteArrayInputStream(key)) {
            return server(SslContextBuilder.forServer(chain, keyStream), provider, alpn);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its chain or key does not load", e);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        mirror.close();
        builder.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** With the routing table: before the traffic ports open, after they close. */
    @Override
    public int getPhase() {
        return 0;
    }
}
