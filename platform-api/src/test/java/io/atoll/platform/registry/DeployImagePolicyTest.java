package io.atoll.platform.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.platform.ApiTestSupport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** DESIGN §9 and issue 9 finding 4: a deploy can make platform-api connect only to allowed registries. */
class DeployImagePolicyTest extends ApiTestSupport {

    String deployBody(String image) {
        return json.writeValueAsString(java.util.Map.of("image", image, "instances", 1));
    }

    @Test
    void anImageFromAnotherHostIsA400AndNothingConnectsToIt() throws Exception {
        assertThat(createApp("{\"name\":\"ssrf\"}").statusCode()).isEqualTo(201);
        AtomicInteger accepts = new AtomicInteger();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket accepted = listener.accept()) {
                        accepts.incrementAndGet();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            int port = listener.getLocalPort();
            for (String image : List.of("127.0.0.1:" + port + "/x:1", "localhost:" + port + "/x:1",
                    "127.0.0.1:" + port + "/x@sha256:" + "ab".repeat(32), "LOCALHOST:" + port + "/x:1",
                    "[::1]:" + port + "/x:1", "127.0.0.1/x:1", "169.254.169.254/latest/x:1", "docker.io/library/x:1")) {
                JsonNode problem = assertProblem(send("POST", "/api/v1/apps/ssrf/deploys", deployBody(image)), 400);
                assertThat(problem.path("detail").asString()).as(image).contains("not allowed");
            }
            Thread.sleep(500); // a connection attempt, had one been started, would have landed by now
            assertThat(accepts.get()).isZero();
        }
        assertThat(json.readTree(send("GET", "/api/v1/apps/ssrf/deploys", null).body()).size()).isZero();
    }

    @Test
    void malformedReferencesAre400s() throws Exception {
        assertThat(createApp("{\"name\":\"grammar\"}").statusCode()).isEqualTo(201);
        for (String image : List.of("hello@sha256:short", "HELLO:demo", "hello:de mo", " hello:1", "hello:1\n",
                "hello@md5:0123456789abcdef0123456789abcdef", "hello:" + "t".repeat(129), "héllo:1", "a//b:1")) {
            JsonNode problem = assertProblem(send("POST", "/api/v1/apps/grammar/deploys", deployBody(image)), 400);
            assertThat(problem.path("detail").asString()).as(image).contains("not a valid image reference");
        }
        assertThat(json.readTree(send("GET", "/api/v1/apps/grammar/deploys", null).body()).size()).isZero();
    }

    @Test
    void anAllowedRegistryIsAskedAndItsAnswerReadsPlainly() throws Exception {
        assertThat(createApp("{\"name\":\"mirrored\"}").statusCode()).isEqualTo(201);
        int before = otherRegistryRequests.get();
        var accepted = send("POST", "/api/v1/apps/mirrored/deploys",
                deployBody("localhost:" + otherRegistry.getAddress().getPort() + "/team/x:1"));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode deploy = awaitDeploy("mirrored", json.readTree(accepted.body()).path("id").asString());
        assertThat(deploy.path("status").asString()).isEqualTo("FAILED");
        assertThat(deploy.path("reason").asString()).contains("has no image team/x:1 (HTTP 404)");
        assertThat(otherRegistryRequests.get()).isGreaterThan(before);
    }

    @Test
    void anUnreachableAllowedRegistryIsReportedWithoutConnectionDetails() throws Exception {
        assertThat(createApp("{\"name\":\"unreachable\"}").statusCode()).isEqualTo(201);
        var accepted = send("POST", "/api/v1/apps/unreachable/deploys", deployBody("localhost:" + deadRegistryPort + "/x:1"));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode deploy = awaitDeploy("unreachable", json.readTree(accepted.body()).path("id").asString());
        assertThat(deploy.path("status").asString()).isEqualTo("FAILED");
        assertThat(deploy.path("reason").asString())
                .isEqualTo("registry localhost:" + deadRegistryPort + " could not be reached (see the platform-api log)");
    }
}
