package io.atoll.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.Assignment;
import io.atoll.model.HealthCheck;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.Resources;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 5: a draining instance is stopped gracefully. The agent publishes it DRAINING
 * (the gateway sends it nothing new), waits its drain delay, then SIGTERM, then the app's own
 * grace before SIGKILL; an app that finishes its requests on SIGTERM loses none of them.
 */
class GracefulStopDockerTest extends AgentDockerTestSupport {

    /** The demo's httpd with a CGI that answers after 5 s; on SIGTERM it stops accepting and waits for it. */
    private static final String SLOW = "atoll/test-slow-requests:2";

    @BeforeAll
    static void image() throws Exception {
        String run = """
                #!/bin/sh
                mkdir -p /tmp/www/cgi-bin
                echo ok > /tmp/www/healthz
                cp /app/slow /tmp/www/cgi-bin/slow
                httpd -f -p "$PORT" -h /tmp/www &
                pid=$!
                trap 'echo stopping; kill $pid; while ps -o args | grep -q "[s]h slow"; do sleep 0.1; done; echo stopped; exit 0' TERM
                wait $pid
                """;
        String slow = """
                #!/bin/sh
                sleep 5
                printf 'Content-Type: text/plain\r\n\r\nslow done\n'
                """;
        buildImage(SLOW, "RUN mkdir -p /app && echo " + base64(run) + " | base64 -d > /app/run.sh && echo "
                + base64(slow) + " | base64 -d > /app/slow && chmod +x /app/run.sh /app/slow",
                "CMD [\"/app/run.sh\"]");
    }

    private static String base64(String text) {
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aRequestInFlightWhenItsInstanceIsDrainedGetsItsAnswer() throws Exception {
        startAgent(zookeeper.getConnectString());
        String instance = newInstanceId();
        Assignment assignment = new Assignment(instance, "graceful", "r1", SLOW, Map.of(), 8080,
                new Resources(64, 256, 1), new HealthCheck("/healthz", 300, 1000, 2), List.of(), false, 30);
        assign(assignment);
        InstanceStatus healthy = awaitState("graceful", instance, InstanceState.HEALTHY);

        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<String>> slow = http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://" + healthy.address() + "/cgi-bin/slow"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(500);
        assign(assignment.withDraining(true));

        HttpResponse<String> answer = slow.get();
        long tookMillis = (System.nanoTime() - sent) / 1_000_000;
        System.out.printf("a 5 s request in flight through a drain: HTTP %d after %d ms%n", answer.statusCode(),
                tookMillis);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("slow done");
        assertThat(tookMillis).isGreaterThanOrEqualTo(5000);
        // then the instance is gone: stopped by its SIGTERM handler well before the SIGKILL its
        // 30 s grace would have sent
        await().atMost(WITHIN).until(() -> containers().isEmpty());
    }
}
