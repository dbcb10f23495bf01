package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.atoll.crypto.KeySealer;
import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import io.atoll.testing.TestPki;
import io.atoll.testing.TestPki.Issued;
import io.atoll.testing.TestPki.KeyType;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 14 item 1: two apps with certificates from two private CAs on one TLS port, each chosen by
 * the client's SNI name, checked by real TLS clients (the JDK's, and curl) that trust only the
 * app's CA; the chain served is the one written to ZooKeeper; a replaced certificate is served
 * within a second; an unknown name gets the default; the plain port redirects where asked and
 * HTTPS responses carry HSTS where asked. ZooKeeper is written as platform-api writes it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.tls.port=0",
        "atoll.gateway.snapshot-file=target/test-snapshots/tls-routing.json"})
class TlsTerminationTest {

    private static final String KEY = KeySealer.generateKey();
    private static final ZkFixture zk = new ZkFixture();
    private static HttpServer shopBackend;
    private static HttpServer blogBackend;
    private static TestPki shopCa;
    private static TestPki blogCa;
    private static Issued shopLeaf;
    private static Issued blogLeaf;

    @TempDir
    static Path dir;

    @Autowired
    ProxyServer proxy;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("atoll.zookeeper.connect-string", zk::connectString);
        registry.add("atoll.gateway.tls.encryption-key", () -> KEY);
    }

    @BeforeAll
    static void setUp() throws Exception {
        shopBackend = backend("shop");
        blogBackend = backend("blog");
        shopCa = TestPki.root(dir, "Shop CA");
        blogCa = TestPki.root(dir, "Blog CA").intermediate("Blog Issuing CA");
        shopLeaf = shopCa.issue("shop.tls.test", List.of("shop.tls.test"), KeyType.EC);
        blogLeaf = blogCa.issue("blog", List.of("*.blog.tls.test"), KeyType.RSA);
        zk.route("shop", RouteRule.forHosts(List.of("shop.tls.test")));
        zk.route("blog", RouteRule.forHosts(List.of("*.blog.tls.test")));
        zk.instance("shop", "shop-1", "127.0.0.1:" + shopBackend.getAddress().getPort(), InstanceState.HEALTHY);
        zk.instance("blog", "blog-1", "127.0.0.1:" + blogBackend.getAddress().getPort(), InstanceState.HEALTHY);
        certificate("shop", "shop.tls.test", shopLeaf, true, 31536000);
        certificate("blog", "*.blog.tls.test", blogLeaf, false, 0);
    }

    @AfterAll
    static void tearDown() throws Exception {
        shopBackend.stop(0);
        blogBackend.stop(0);
        zk.close();
    }

    private static void certificate(String app, String host, Issued leaf, boolean redirect, long hsts) throws Exception {
        zk.certificate(app, host, leaf.chainPem(), leaf.keyPem(), KEY, redirect, hsts);
    }

    /** Answers its name, and the scheme the gateway told it in X-Forwarded-Proto. */
    private static HttpServer backend(String name) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String proto = exchange.getRequestHeaders().getFirst("X-Forwarded-Proto");
            exchange.getResponseHeaders().add("Seen-Forwarded-Proto", String.valueOf(proto));
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    /** One HTTP/1.1 exchange over TLS, as the JDK's client makes it, and what it saw. */
    record Answer(int status, Map<String, String> headers, String body, List<X509Certificate> chain) {
    }

    /**
     * Connects to the TLS port naming {@code sni}, verifies the chain against {@code trusted}
     * and the name against the certificate (HTTPS endpoint identification), or trusts anything
     * when {@code trusted} is null, to see what is presented.
     */
    private Answer https(String sni, TestPki trusted, String path) throws Exception {
        return https(sni, trusted, path, proxy.tlsPort());
    }

    private Answer https(String sni, TestPki trusted, String path, int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        TrustManager[] managers;
        if (trusted == null) {
            managers = new TrustManager[] {new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }};
        } else {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(trusted.rootPem().getBytes(StandardCharsets.US_ASCII))));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            managers = factory.getTrustManagers();
        }
        context.init(null, managers, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(sni)));
            if (trusted != null) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate cert : socket.getSession().getPeerCertificates()) {
                chain.add((X509Certificate) cert);
            }
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + sni + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return parse(raw, chain);
        }
    }

    private static Answer parse(String raw, List<X509Certificate> chain) {
        int end = raw.indexOf("\r\n\r\n");
        String[] lines = raw.substring(0, end).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, raw.substring(end + 4), chain);
    }

    private static List<String> der(List<X509Certificate> chain) throws Exception {
        List<String> encoded = new ArrayList<>();
        for (X509Certificate cert : chain) {
            encoded.add(java.util.HexFormat.of().formatHex(cert.getEncoded()));
        }
        return encoded;
    }

    private static List<String> der(String pem) throws Exception {
        List<String> encoded = new ArrayList<>();
        for (Certificate cert : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            encoded.add(java.util.HexFormat.of().formatHex(cert.getEncoded()));
        }
        return encoded;
    }

    private void awaitServed(String sni, Issued leaf) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> der(https(sni, null, "/").chain()).equals(der(leaf.chainPem())));
    }

    @Test
    void twoAppsOnOnePortEachWithItsOwnCertificateChosenBySni() throws Exception {
        awaitServed("shop.tls.test", shopLeaf);
        awaitServed("a.blog.tls.test", blogLeaf);

        Answer shop = https("shop.tls.test", shopCa, "/cart");
        assertThat(shop.status()).isEqualTo(200);
        assertThat(shop.body()).isEqualTo("shop");
        assertThat(der(shop.chain())).isEqualTo(der(shopLeaf.chainPem()));
        assertThat(shop.headers()).containsEntry("seen-forwarded-proto", "https")
                .containsEntry("strict-transport-security", "max-age=31536000");

        Answer blog = https("a.blog.tls.test", blogCa, "/");
        assertThat(blog.body()).isEqualTo("blog");
        // leaf, intermediate, root: the whole uploaded chain
        assertThat(der(blog.chain())).hasSize(3).isEqualTo(der(blogLeaf.chainPem()));
        assertThat(blog.headers()).containsEntry("seen-forwarded-proto", "https")
                .doesNotContainKey("strict-transport-security");

        // a client trusting only the shop's CA refuses the blog's certificate, and the reverse
        assertThatThrownBy(() -> https("a.blog.tls.test", shopCa, "/")).isInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> https("shop.tls.test", blogCa, "/")).isInstanceOf(SSLHandshakeException.class);
        // the wildcard covers one label only, as clients check it
        assertThat(https("blog.tls.test", null, "/").chain().get(0).getSubjectX500Principal().getName())
                .isEqualTo("CN=atoll-gateway.invalid");
    }

    @Test
    void curlChecksTheChainOfEachApp() throws Exception {
        awaitServed("shop.tls.test", shopLeaf);
        awaitServed("a.blog.tls.test", blogLeaf);
        Path shopRoot = Files.writeString(dir.resolve("shop-root.pem"), shopCa.rootPem());
        Path blogRoot = Files.writeString(dir.resolve("blog-root.pem"), blogCa.rootPem());

        Curl shop = curl(shopRoot, "shop.tls.test", "/");
        assertThat(shop.exit()).as(shop.output()).isZero();
        // curl offers h2 by ALPN, which the TLS port takes (Http2Test covers it)
        assertThat(shop.output()).contains("HTTP/2 200").contains("strict-transport-security: max-age=31536000")
                .endsWith("shop");
        Curl blog = curl(blogRoot, "www.blog.tls.test", "/");
        assertThat(blog.exit()).as(blog.output()).isZero();
        assertThat(blog.output()).contains("HTTP/2 200").doesNotContain("strict-transport-security").endsWith("blog");
        // 60: the peer's certificate cannot be authenticated with the given CA
        assertThat(curl(shopRoot, "www.blog.tls.test", "/").exit()).isEqualTo(60);
    }

    @Test
    void unknownNamesAndClientsWithoutSniGetTheDefaultCertificate() throws Exception {
        awaitServed("shop.tls.test", shopLeaf);
        Answer unknown = https("nobody.tls.test", null, "/");
        assertThat(unknown.chain().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=atoll-gateway.invalid");
        assertThat(unknown.status()).isEqualTo(404);
        Curl noSni = new Curl(List.of("curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
                "https://127.0.0.1:" + proxy.tlsPort() + "/"));
        assertThat(noSni.output()).isEqualTo("404");
    }

    @Test
    void thePlainPortRedirectsOnlyTheHostsThatAskForIt() throws Exception {
        awaitServed("shop.tls.test", shopLeaf);
        String shop = RawHttp.exchange(proxy.port(),
                "GET /cart?item=1 HTTP/1.1\r\nHost: shop.tls.test\r\nConnection: close\r\n\r\n").text();
        assertThat(shop).startsWith("HTTP/1.1 308")
                .contains("location: https://shop.tls.test:" + proxy.tlsPort() + "/cart?item=1");
        String blog = RawHttp.exchange(proxy.port(), "GET / HTTP/1.1\r\nHost: a.blog.tls.test\r\nConnection: close\r\n\r\n").text();
        assertThat(blog.toLowerCase(Locale.ROOT)).startsWith("http/1.1 200").contains("seen-forwarded-proto: http\r\n").endsWith("blog");
        // curl follows the redirect to the TLS port and checks the chain there
        Path shopRoot = Files.writeString(dir.resolve("shop-root-2.pem"), shopCa.rootPem());
        Curl followed = new Curl(List.of("curl", "-sS", "-L", "--cacert", shopRoot.toString(),
                "--resolve", "shop.tls.test:" + proxy.port() + ":127.0.0.1",
                "--resolve", "shop.tls.test:" + proxy.tlsPort() + ":127.0.0.1",
                "http://shop.tls.test:" + proxy.port() + "/"));
        assertThat(followed.exit()).as(followed.output()).isZero();
        assertThat(followed.output()).isEqualTo("shop");
    }

    @Test
    void aReplacedCertificateIsServedWithinASecondWithoutRestart() throws Exception {
        awaitServed("a.blog.tls.test", blogLeaf);
        Issued renewed = blogCa.issue("blog renewed", List.of("*.blog.tls.test"), KeyType.EC);
        long started = System.nanoTime();
        certificate("blog", "*.blog.tls.test", renewed, false, 0);
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).ignoreExceptions()
                .until(() -> der(https("x.blog.tls.test", blogCa, "/").chain()).equals(der(renewed.chainPem())));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.println("Replaced certificate served after " + millis + " ms");
        assertThat(https("x.blog.tls.test", blogCa, "/").body()).isEqualTo("blog");
        blogLeaf = renewed;
        // and a certificate removed from ZooKeeper falls back to the default
        zk.client.delete().forPath(zk.paths.certificate("*.blog.tls.test"));
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> https("x.blog.tls.test",
                null, "/").chain().get(0).getSubjectX500Principal().getName().equals("CN=atoll-gateway.invalid"));
        certificate("blog", "*.blog.tls.test", renewed, false, 0);
    }

    @Test
    void plainHttpOnTheTlsPortIsCutAndThePortKeepsServing() throws Exception {
        awaitServed("shop.tls.test", shopLeaf);
        RawHttp.Result plain = RawHttp.exchange(proxy.tlsPort(), "GET / HTTP/1.1\r\nHost: shop.tls.test\r\n\r\n");
        assertThat(plain.closed()).isTrue();
        assertThat(plain.text()).doesNotContain("shop");
        assertThat(https("shop.tls.test", shopCa, "/").body()).isEqualTo("shop");
    }

    @Test
    void aClientHelloSplitAcrossRecordsAndSegmentsStillGetsItsHostsCertificate() throws Exception {
        awaitServed("shop.tls.test", shopLeaf);
        // The SNI name sits past the first fragments, so the certificate can only be right if the
        // gateway put the ClientHello back together from 40-byte records sent a byte per segment.
        try (ClientHelloSplitter splitter = new ClientHelloSplitter(proxy.tlsPort(), 40)) {
            Answer answer = https("shop.tls.test", shopCa, "/", splitter.port());
            assertThat(splitter.records()).isGreaterThan(5);
            assertThat(answer.body()).isEqualTo("shop");
            assertThat(der(answer.chain())).isEqualTo(der(shopLeaf.chainPem()));
        }
    }

    @Test
    void aClientHelloOverSixteenKibIsCutAtOnceAndThePortKeepsServing() throws Exception {
        awaitServed("shop.tls.test", shopLeaf);
        // A handshake record announcing a 64 KiB ClientHello, then its first 16 KiB: past the
        // limit, the gateway must not buffer on until the header timeout (20 s) for the rest.
        byte[] hello = new byte[5 + 16384];
        hello[0] = 22; // handshake
        hello[1] = 3;
        hello[2] = 1;
        hello[3] = 0x40; // record length 16384
        hello[5] = 1; // ClientHello
        hello[6] = 1; // handshake length 0x010000
        long started = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", proxy.tlsPort())) {
            socket.setSoTimeout(10_000);
            boolean cut;
            try {
                socket.getOutputStream().write(hello);
                socket.getOutputStream().flush();
                cut = socket.getInputStream().read() == -1;
            } catch (IOException reset) {
                cut = true;
            }
            assertThat(cut).as("the connection is closed or reset").isTrue();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(https("shop.tls.test", shopCa, "/").body()).isEqualTo("shop");
    }

    /**
     * A TCP relay in front of the TLS port that re-frames the client's first TLS record (the
     * ClientHello) into records of at most {@code fragment} bytes and sends them one byte per
     * write, then relays both directions unchanged: legal TLS (a handshake message may span
     * records), as middleboxes and large post-quantum ClientHellos produce it.
     */
    static final class ClientHelloSplitter implements AutoCloseable {
        private final ServerSocket server;
        private final int target;
        private final int fragment;
        private final AtomicInteger records = new AtomicInteger();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        ClientHelloSplitter(int target, int fragment) throws IOException {
            this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            this.target = target;
            this.fragment = fragment;
            daemon(this::relay);
        }

        int port() {
            return server.getLocalPort();
        }

        int records() {
            return records.get();
        }

        private void relay() {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket("127.0.0.1", target);
                sockets.add(client);
                sockets.add(upstream);
                upstream.setTcpNoDelay(true);
                daemon(() -> copy(upstream, client));
                DataInputStream in = new DataInputStream(client.getInputStream());
                OutputStream out = upstream.getOutputStream();
                byte[] header = new byte[5];
                in.readFully(header);
                byte[] body = new byte[((header[3] & 0xff) << 8) | (header[4] & 0xff)];
                in.readFully(body);
                for (int offset = 0; offset < body.length; offset += fragment) {
                    int length = Math.min(fragment, body.length - offset);
                    byte[] record = new byte[5 + length];
                    System.arraycopy(header, 0, record, 0, 3);
                    record[3] = (byte) (length >> 8);
                    record[4] = (byte) length;
                    System.arraycopy(body, offset, record, 5, length);
                    for (byte b : record) {
                        out.write(b);
                        out.flush();
                    }
                    records.incrementAndGet();
                }
                copy(client, upstream);
            } catch (IOException ignored) {
                // the test's own assertions say what went wrong
            }
        }

        private static void daemon(Runnable task) {
            Thread thread = new Thread(task, "client-hello-splitter");
            thread.setDaemon(true);
            thread.start();
        }

        private static void copy(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
                to.shutdownOutput();
            } catch (IOException ignored) {
                // one side closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    record Curl(int exit, String output) {
        Curl(List<String> command) throws Exception {
            this(run(command));
        }

        private Curl(Curl other) {
            this(other.exit, other.output);
        }

        private static Curl run(List<String> command) throws Exception {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            return new Curl(process.exitValue(), output.replace("\r\n", "\n"));
        }
    }

    private Curl curl(Path caFile, String host, String path) throws Exception {
        int port = proxy.tlsPort();
        return new Curl(List.of("curl", "-sS", "-i", "--cacert", caFile.toString(),
                "--resolve", host + ":" + port + ":127.0.0.1", "https://" + host + ":" + port + path));
    }
}
