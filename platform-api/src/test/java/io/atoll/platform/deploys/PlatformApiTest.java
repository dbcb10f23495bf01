package io.atoll.platform.deploys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.Assignment;
import io.atoll.model.AppRoute;
import io.atoll.model.InstanceState;
import io.atoll.platform.ApiTestSupport;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The REST API and the deploy orchestration against a real ZooKeeper and H2. The agents are
 * played by the test (it publishes instance states), the registry as {@link ApiTestSupport} says.
 */
class PlatformApiTest extends ApiTestSupport {

    @Test
    void everyCallButHealthNeedsAnApiTokenOutsideDev() throws Exception {
        HttpResponse<String> anonymous = send("POST", "/api/v1/apps", "{\"name\":\"anon\"}", null);
        assertProblem(anonymous, 401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"atoll\"");
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"anon\"}", "wrong-token"), 401);
        assertProblem(send("GET", "/api/v1/apps/anon", null, null), 401);
        assertProblem(send("GET", "/api/v1/apps/anon", null, "test-token"), 404);
        assertThat(send("POST", "/api/v1/apps", "{\"name\":\"anon\"}", "test-token").statusCode()).isEqualTo(201);
        assertProblem(send("GET", "/api/v1/apps/anon", null, null), 401);
        assertProblem(send("GET", "/api/v1/apps", null, null), 401);
        assertThat(send("GET", "/api/v1/apps/anon", null, "test-token").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v3/api-docs", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/health", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void badInputToCreateAppIsAProblem() throws Exception {
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"Bad_Name\"}"), 400);
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"../etc\"}"), 400);
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":"), 400);
        assertProblem(send("POST", "/api/v1/apps", "[1,2]"), 400);
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"ok-name\",\"containerPort\":70000}"), 400);
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"ok-name\",\"hosts\":[\"bad host\"]}"), 400);
        assertThat(send("POST", "/api/v1/apps", "{\"name\":\"dup\"}").statusCode()).isEqualTo(201);
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"dup\"}"), 409);
        assertProblem(send("GET", "/api/v1/apps/nope", null), 404);
        assertProblem(send("POST", "/api/v1/apps/nope/deploys", "{\"image\":\"x:1\",\"instances\":1}"), 404);
        assertProblem(send("POST", "/api/v1/apps/dup/deploys", "{\"instances\":1}"), 400);
        assertProblem(send("GET", "/api/v1/apps/dup/deploys/unknown-id", null), 404);
    }

    @Test
    void deployOfAMissingImageFailsWithTheReason() throws Exception {
        send("POST", "/api/v1/apps", "{\"name\":\"missing\"}");
        registerNode("node-m");
        var accepted = send("POST", "/api/v1/apps/missing/deploys", "{\"image\":\"hello:404\",\"instances\":1}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("Location")).isPresent();
        var deploy = awaitDeploy("missing", json.readTree(accepted.body()).path("id").asString());
        assertThat(deploy.path("status").asString()).isEqualTo("FAILED");
        assertThat(deploy.path("reason").asString()).contains("404");
    }

    @Test
    void rollingDeployReplacesTheOldReleaseOnlyOnceTheNewOneIsHealthy() throws Exception {
        registerNode("node-1");
        send("POST", "/api/v1/apps", "{\"name\":\"hello\",\"hosts\":[\"hello.example.com\"],\"containerPort\":8080}");

        var first = json.readTree(send("POST", "/api/v1/apps/hello/deploys", "{\"image\":\"hello:1\",\"instances\":2}").body());
        await().atMost(Duration.ofSeconds(5)).until(() -> assignments("node-1").size() == 2);
        Assignment assignment = codec.decode(curator.getData().forPath(paths.assignment("node-1",
                assignments("node-1").get(0))), Assignment.class);
        assertThat(assignment.image()).isEqualTo("registry.test:5000/hello@" + DIGEST);
        assertThat(assignment.containerPort()).isEqualTo(8080);
        assertThat(assignment.healthCheck().path()).isEqualTo("/healthz");
        AppRoute route = codec.decode(curator.getData().forPath(paths.route("hello")), AppRoute.class);
        assertThat(route.rules().get(0).hosts()).containsExactly("hello.example.com");

        reportAll("node-1", InstanceState.HEALTHY);
        assertThat(awaitDeploy("hello", first.path("id").asString()).path("status").asString()).isEqualTo("SUCCEEDED");
        var app = json.readTree(send("GET", "/api/v1/apps/hello", null).body());
        assertThat(app.path("release").path("number").asInt()).isEqualTo(1);

        // a second deploy whose instances never become healthy rolls back and leaves release 1 serving;
        // with the default surge of 1 and nothing unavailable, one new instance starts and no old one goes
        var second = json.readTree(send("POST", "/api/v1/apps/hello/deploys",
                "{\"image\":\"hello:2\",\"instances\":2,\"progressDeadlineSeconds\":2}").body());
        await().atMost(Duration.ofSeconds(5)).until(() -> assignments("node-1").size() == 3);
        report("node-1", "hello-r2-", InstanceState.STARTING);
        var failed = awaitDeploy("hello", second.path("id").asString());
        assertThat(failed.path("status").asString()).isEqualTo("ROLLED_BACK");
        assertThat(failed.path("reason").asString()).contains("not ready within 2 s");
        assertThat(failed.path("events").findValuesAsString("kind")).contains("failed", "rolling-back", "rolled-back");
        await().atMost(Duration.ofSeconds(5)).until(() -> assignments("node-1").size() == 2);
        var instances = json.readTree(send("GET", "/api/v1/apps/hello/instances", null).body());
        assertThat(instances.size()).isEqualTo(2);
        instances.forEach(i -> assertThat(i.path("releaseId").asString()).isEqualTo("hello-r1"));

        // a third, healthy, deploy replaces release 1 one instance at a time: never fewer than 2 ready
        var third = json.readTree(send("POST", "/api/v1/apps/hello/deploys", "{\"image\":\"hello:2\",\"instances\":2}").body());
        String thirdId = third.path("id").asString();
        int most = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!deployStatus("hello", thirdId).matches("SUCCEEDED|ROLLED_BACK|FAILED") && System.nanoTime() < deadline) {
            // draining ones are on their way out and serve nothing new: they do not count against the surge
            int active = (int) assignmentsOf("node-1").stream().filter(a -> !a.draining()).count();
            most = Math.max(most, active);
            reportAll("node-1", InstanceState.HEALTHY);
            leaveDrained("node-1");
            Thread.sleep(100);
        }
        assertThat(deployStatus("hello", thirdId)).isEqualTo("SUCCEEDED");
        assertThat(most).as("at most 2 + surge 1 not draining at once").isLessThanOrEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            leaveDrained("node-1");
            return assignments("node-1").size() == 2;
        });
        for (String id : assignments("node-1")) {
            // release 3 runs the spec release 2 brought: its instances carry release 2's id
            assertThat(id).startsWith("hello-r2-");
        }
        var releases = json.readTree(send("GET", "/api/v1/apps/hello/releases", null).body());
        assertThat(releases.findValuesAsString("version")).containsExactly("v3", "v2", "v1");
        assertThat(releases.get(0).path("serving").asBoolean()).isTrue();
    }

    @Test
    void assignmentsLostFromZooKeeperAreRestoredFromSql() throws Exception {
        registerNode("node-s");
        send("POST", "/api/v1/apps", "{\"name\":\"sync\"}");
        var deploy = json.readTree(send("POST", "/api/v1/apps/sync/deploys", "{\"image\":\"hello:1\",\"instances\":1}").body());
        await().atMost(Duration.ofSeconds(5)).until(() -> curator.checkExists().forPath(paths.assignmentsOf("node-s")) != null
                && !curator.getChildren().forPath(paths.assignmentsOf("node-s")).isEmpty());
        reportAll("node-s", InstanceState.HEALTHY);
        awaitDeploy("sync", deploy.path("id").asString());
        String id = curator.getChildren().forPath(paths.assignmentsOf("node-s")).get(0);
        curator.delete().forPath(paths.assignment("node-s", id));
        curator.create().forPath(paths.assignment("node-s", "stray-1"), codec.encode(Map.of("app", "sync")));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                List.of(id).equals(curator.getChildren().forPath(paths.assignmentsOf("node-s"))));

        // a route that says more than SQL (a host the app does not own) is rewritten, not only a missing one
        byte[] route = curator.getData().forPath(paths.route("sync"));
        curator.setData().forPath(paths.route("sync"), codec.encode(new AppRoute("sync",
                List.of(io.atoll.model.RouteRule.forHosts(List.of("stolen.example.com"))), Map.of(), 1)));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                java.util.Arrays.equals(route, curator.getData().forPath(paths.route("sync"))));
    }
}
