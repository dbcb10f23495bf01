package io.atoll.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.atoll.testing.TestPki;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The whole platform on this machine, as script/server runs it ({@link AtollPlatform}: the four
 * services as separate processes from their jars, platform-api's in-process ZooKeeper, one agent,
 * a real Docker engine), the demo image pushed to Atoll's registry with the docker CLI, and HTTP
 * through the gateway.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlatformEndToEndIT {

    static AtollPlatform platform;
    static AtollPlatform.Agent agent;

    @BeforeAll
    static void startPlatform() throws Exception {
        platform = AtollPlatform.start("e2e", List.of("zone-a"),
                List.of("--atoll.platform.deploy.healthy-timeout=25s", "--atoll.platform.deploy.drain-timeout=10s"),
                List.of("--atoll.agent.drain-delay=1s"));
        agent = platform.agents.get(0);
    }

    @AfterAll
    static void stopPlatform() throws Exception {
        if (platform != null) {
            platform.close();
        }
    }

    static HttpResponse<String> api(String method, String path, String body) throws Exception {
        return platform.api(method, path, body);
    }

    static HttpResponse<String> viaGateway(String host) throws Exception {
        return platform.viaGateway(host);
    }

    static String servedBy(HttpResponse<String> response) {
        return AtollPlatform.servedBy(response);
    }

    static JsonNode deployAndWait(String app, String image, int instances) throws Exception {
        return platform.deployAndWait(app, image, instances);
    }

    static Map<String, String> containers() throws Exception {
        return agent.containers();
    }

    @Test
    @Order(1)
    void pushDeployAndServeFromBothInstances() throws Exception {
        // An image of its own (a layer with a random token), removed from the engine once pushed:
        // the agent then has to pull it from the registry, with its login.
        String image = platform.registryHost() + "/hello:e2e";
        Path context = Files.createTempDirectory("atoll-e2e-image");
        Files.writeString(context.resolve("token"), UUID.randomUUID().toString());
        Files.writeString(context.resolve("Dockerfile"), "FROM atoll/hello:local\nCOPY token /token\n");
        DockerCli.run("build", "-q", "-t", image, context.toString());
        assertThatThrownBy(() -> DockerCli.run("push", image)).hasMessageContaining("no basic auth credentials");
        platform.loginAsCi();
        DockerCli.run("push", image);
        DockerCli.run("rmi", image);

        HttpResponse<String> created = api("POST", "/api/v1/apps",
                "{\"name\":\"hello\",\"hosts\":[\"hello.example.test\"],\"containerPort\":8080,\"healthPath\":\"/healthz\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        JsonNode deploy = deployAndWait("hello", "hello:e2e", 2);
        assertThat(deploy.path("status").asString()).as(deploy.toString()).isEqualTo("SUCCEEDED");

        JsonNode instances = AtollPlatform.JSON.readTree(api("GET", "/api/v1/apps/hello/instances", null).body());
        assertThat(instances.size()).isEqualTo(2);
        Set<String> ids = new HashSet<>();
        instances.forEach(i -> {
            assertThat(i.path("state").asString()).isEqualTo("HEALTHY");
            ids.add(i.path("instanceId").asString());
        });

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 40 && seen.size() < 2; i++) {
            HttpResponse<String> response = viaGateway("hello.localhost");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            seen.add(servedBy(response));
        }
        assertThat(seen).isEqualTo(ids);
        assertThat(viaGateway("hello.example.test").statusCode()).isEqualTo(200);
        assertThat(containers()).containsOnlyKeys(ids);
    }

    /**
     * Issue 14: HTTPS by SNI with certificates uploaded through the API. Two of hello's hosts get
     * certificates from two private CAs; curl, trusting one CA, reaches the host that CA's
     * certificate is for and refuses the other host's. A certificate replaced through the API is
     * served within a second of the upload's answer, by the same gateway process.
     */
    @Test
    @Order(2)
    void httpsWithCertificatesUploadedThroughTheApiChosenBySniAndReplacedWithoutARestart() throws Exception {
        Path dir = Files.createTempDirectory(platform.data, "pki");
        TestPki first = TestPki.root(dir, "First CA");
        TestPki second = TestPki.root(dir, "Second CA");
        uploadCertificate(first.issue("hello.example.test", List.of("hello.example.test"), TestPki.KeyType.EC));
        uploadCertificate(second.issue("hello.localhost", List.of("hello.localhost"), TestPki.KeyType.RSA));
        long gatewayPid = platform.gatewayPid();

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> handshakeTrusting(first, "hello.example.test"));
        assertThat(curlHttps(first, "hello.example.test")).startsWith("200 hello from");
        assertThat(curlHttps(second, "hello.localhost")).startsWith("200 hello from");
        // the other host's certificate is not one the first CA signed: curl refuses it (exit 60)
        assertThat(curlHttps(first, "hello.localhost")).startsWith("exit 60");

        TestPki third = TestPki.root(dir, "Third CA");
        uploadCertificate(third.issue("hello.example.test", List.of("hello.example.test"), TestPki.KeyType.RSA));
        long uploaded = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> handshakeTrusting(third, "hello.example.test"));
        Duration served = Duration.ofNanos(System.nanoTime() - uploaded);
        System.out.printf("replaced certificate served %d ms after the API answered%n", served.toMillis());
        assertThat(served).isLessThan(Duration.ofSeconds(1));
        assertThat(curlHttps(third, "hello.example.test")).startsWith("200 hello from");
        assertThat(curlHttps(first, "hello.example.test")).startsWith("exit 60");
        assertThat(platform.gatewayPid()).as("no restart").isEqualTo(gatewayPid);
    }

    private static void uploadCertificate(TestPki.Issued issued) throws Exception {
        HttpResponse<String> response = api("PUT", "/api/v1/apps/hello/certificates",
                AtollPlatform.JSON.writeValueAsString(Map.of("chain", issued.chainPem(), "key", issued.keyPem())));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    /** "200 body" from the gateway's TLS port, checked against {@code ca} only; "exit N" when curl fails. */
    private static String curlHttps(TestPki ca, String host) throws Exception {
        int port = platform.gatewayTlsPort;
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "5", "--cacert", ca.certFile().toString(),
                "--resolve", host + ":" + port + ":127.0.0.1", "-w", "%{http_code} ", "-o", "/dev/stderr",
                "https://" + host + ":" + port + "/").start();
        String status = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String body = new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = curl.waitFor();
        return exit == 0 ? status + body : "exit " + exit + " " + body;
    }

    /** Whether a TLS handshake with SNI {@code host} gets a chain that {@code ca} signed, for that host. */
    private static boolean handshakeTrusting(TestPki ca, String host) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(ca.certFile())) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", platform.gatewayTlsPort)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(2000);
            socket.startHandshake();
            return true;
        } catch (SSLException e) {
            return false;
        }
    }

    @Test
    @Order(3)
    void unknownHostIsA404Problem() throws Exception {
        HttpResponse<String> response = viaGateway("nobody.localhost");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    @Order(4)
    void aKilledContainerIsRestartedAndServesAgain() throws Exception {
        Map<String, String> before = containers();
        String victimInstance = before.keySet().iterator().next();
        String victimContainer = before.get(victimInstance).split("\\|")[0];
        DockerCli.run("kill", victimContainer);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            Map<String, String> now = containers();
            return now.containsKey(victimInstance) && !now.get(victimInstance).equals(before.get(victimInstance));
        });
        // the gateway serves 200 again, from both instances
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> response = viaGateway("hello.localhost");
                if (response.statusCode() != 200) {
                    return false;
                }
                seen.add(servedBy(response));
            }
            return seen.equals(before.keySet());
        });
    }

    @Test
    @Order(5)
    void restartingTheAgentLeavesTheAppRunningAndServed() throws Exception {
        Map<String, String> before = containers();
        assertThat(before).hasSize(2);
        GatewayLoad load = GatewayLoad.start(platform, "hello.localhost", Duration.ofMillis(20));
        GatewayLoad.Summary summary;
        try {
            agent.stop();
            Thread.sleep(2000);
            assertThat(containers()).isEqualTo(before);
            agent.start();
            Thread.sleep(3000);
        } finally {
            summary = load.stop();
        }
        assertThat(containers()).as("same containers, same start times").isEqualTo(before);
        assertThat(summary.failures()).as("requests failed while the agent restarted").isEmpty();
        assertThat(summary.ok()).isGreaterThan(20);
        JsonNode instances = AtollPlatform.JSON.readTree(api("GET", "/api/v1/apps/hello/instances", null).body());
        instances.forEach(i -> assertThat(i.path("state").asString()).isEqualTo("HEALTHY"));
    }

    @Test
    @Order(6)
    void anAppWithNoHealthyInstanceIsA503AndItsDeployFailsWithAReason() throws Exception {
        api("POST", "/api/v1/apps", "{\"name\":\"broken\",\"containerPort\":8080,\"healthPath\":\"/missing\"}");
        JsonNode deploy = deployAndWait("broken", "hello:e2e", 1);
        // nothing served before it: the deploy fails (no rollback) with what the agent saw
        assertThat(deploy.path("status").asString()).isEqualTo("FAILED");
        assertThat(deploy.path("reason").asString()).contains("not ready within");
        HttpResponse<String> response = viaGateway("broken.localhost");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        // the failed deploy's container is gone; hello's two are untouched
        await().atMost(Duration.ofSeconds(30)).until(() -> containers().size() == 2);
    }
}
