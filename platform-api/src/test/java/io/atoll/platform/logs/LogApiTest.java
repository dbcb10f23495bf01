package io.atoll.platform.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import io.atoll.platform.ApiTestSupport;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/apps/{app}/logs} without agents that answer: bad input is a 4xx problem, and an
 * agent that cannot be reached is said in the stream (200), not a 500. LogsIT reads real agents.
 */
class LogApiTest extends ApiTestSupport {

    private static final String APP = "logsapp";

    @BeforeEach
    void appAndADeadAgent() throws Exception {
        if (send("GET", "/api/v1/apps/" + APP, null).statusCode() == 404) {
            assertThat(createApp("{\"name\":\"" + APP + "\"}").statusCode()).isEqualTo(201);
        }
        if (curator.checkExists().forPath(paths.nodes()) != null) {
            for (String other : curator.getChildren().forPath(paths.nodes())) {
                curator.delete().forPath(paths.node(other));
            }
        }
        int deadPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = free.getLocalPort();
        }
        var node = new NodeInfo("logs-node", "127.0.0.1", "zone-a", "r1", new Resources(8192, 8192, 20), Resources.NONE,
                false, "test", 15000, "http://127.0.0.1:" + deadPort);
        curator.create().orSetData().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(paths.node("logs-node"), codec.encode(node));
        await().atMost(Duration.ofSeconds(5)).until(() -> send("GET", "/api/v1/nodes", null).body().contains("logs-node"));
    }

    @Test
    void badInputIsAProblem() throws Exception {
        assertProblem(get("/api/v1/apps/nosuch/logs", "text/event-stream"), 404);
        for (String query : List.of("tail=-1", "tail=10001", "tail=2147483648", "tail=ten", "since=yesterday",
                "since=2026-13-01T00:00:00Z", "since=-5m", "follow=yes")) {
            JsonProblem.check(assertProblem(get("/api/v1/apps/" + APP + "/logs?" + query, "text/event-stream"), 400));
        }
        assertProblem(get("/api/v1/apps/" + APP + "/logs?instance=i-nosuch", "text/plain"), 404);
        assertProblem(get("/api/v1/apps/" + APP + "/logs?instance=..%2Fx", null), 404); // no instance has that name
    }

    @Test
    void anAgentThatCannotBeReachedIsSaidInTheStreamNotAFailure() throws Exception {
        HttpResponse<String> text = get("/api/v1/apps/" + APP + "/logs?tail=10", "text/plain");
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(text.body()).matches("(?s)\\S+ - atoll the agent of node logs-node refused the connection: "
                + "its instances' lines are missing\n");

        HttpResponse<String> events = get("/api/v1/apps/" + APP + "/logs", "text/event-stream");
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.body()).startsWith("event:atoll\ndata:{").contains("\"node\":\"logs-node\"")
                .contains("refused the connection").endsWith("\n\n");
    }

    private HttpResponse<String> get(String path, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN);
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A 400's detail says what was wrong, not the request's bytes. */
    private static final class JsonProblem {
        static void check(tools.jackson.databind.JsonNode problem) {
            assertThat(problem.path("detail").asString()).matches("(tail|since|follow) .*");
        }
    }
}
