package io.atoll.platform.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.Assignment;
import io.atoll.model.RouteFilter;
import io.atoll.model.InstanceState;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 5: an app's stop grace (SIGTERM to SIGKILL) is set on the app and reaches its
 * running instances' assignments, which the agents stop by, without a new release.
 */
class AppSettingsTest extends RouteFiltersTestSupport {

    @Test
    void anAppsStopGraceReachesItsInstancesWithoutARelease() throws Exception {
        HttpResponse<String> created = createApp("{\"name\":\"patient\",\"stopGraceSeconds\":45}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json.readTree(created.body()).path("stopGraceSeconds").asInt()).isEqualTo(45);
        registerNode("node-grace");
        String id = json.readTree(send("POST", "/api/v1/apps/patient/deploys",
                "{\"image\":\"hello:1\",\"instances\":2}").body()).path("id").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            reportAll("node-grace", InstanceState.HEALTHY);
            return deployStatus("patient", id).equals("SUCCEEDED");
        });
        List<String> instances = assignments("node-grace");
        assertThat(instances).allSatisfy(instance -> assertThat(assignment(instance).stopGraceSeconds()).isEqualTo(45));

        HttpResponse<String> patched = send("PATCH", "/api/v1/apps/patient", "{\"stopGraceSeconds\":5}");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> assignments("node-grace").stream()
                .allMatch(instance -> assignment(instance).stopGraceSeconds() == 5));
        assertThat(assignments("node-grace")).isEqualTo(instances);
        assertThat(json.readTree(send("GET", "/api/v1/apps/patient/releases", null).body()).size()).isEqualTo(1);

        for (String bad : List.of("{\"stopGraceSeconds\":-1}", "{\"stopGraceSeconds\":301}",
                "{\"stopGraceSeconds\":\"x\"}", "[]", "nope")) {
            assertProblem(send("PATCH", "/api/v1/apps/patient", bad), 400);
        }
        assertProblem(createApp("{\"name\":\"impatient\",\"stopGraceSeconds\":9999}"), 400);
        assertProblem(send("PATCH", "/api/v1/apps/no-such-app", "{\"stopGraceSeconds\":5}"), 404);
    }

    /**
     * Issue 14 item 3: an app's route filters are validated by the API, which names the filter in
     * its 400, and reach the route the gateways read from ZooKeeper; an empty list takes them away.
     */
    @Test
    void routeFiltersAreCheckedAndReachTheAppsRoute() throws Exception {
        deployedWithHost("filtered", "node-filters");

        HttpResponse<String> patched = send("PATCH", "/api/v1/apps/filtered", "{\"routeFilters\":["
                + "\"RewritePath=/api/(?<rest>.*), /${rest}\","
                + "{\"name\":\"AddResponseHeader\",\"args\":{\"name\":\"X-Served\",\"value\":\"atoll\"}}]}");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(json.readTree(patched.body()).path("routeFilters").get(0).path("name").asString())
                .isEqualTo("RewritePath");
        await().atMost(Duration.ofSeconds(10)).until(() -> routeFilters("filtered").size() == 2);
        List<RouteFilter> written = routeFilters("filtered");
        assertThat(written.get(0).name()).isEqualTo("RewritePath");
        assertThat(written.get(0).args().values()).containsExactly("/api/(?<rest>.*)", "/${rest}");
        assertThat(written.get(1).args()).containsEntry("name", "X-Served").containsEntry("value", "atoll");
        assertThat(json.readTree(send("GET", "/api/v1/apps/filtered", null).body()).path("routeFilters").size())
                .isEqualTo(2);

        // each refusal names the filter, and nothing of it reaches the route
        assertRefused("filtered", new String[][] {
                {"[\"NoSuchFilter=x\"]", "NoSuchFilter"},
                {"[\"RewritePath=/api/(unclosed, /x\"]", "RewritePath"},
                {"[\"SetStatus=999\"]", "SetStatus"},
                {"[\"AddResponseHeader=X-A, #{T(java.lang.Runtime).getRuntime()}\"]", "AddResponseHeader"},
                {"[\"AddResponseHeader=X-A\\r\\nX-Injected: 1, b\"]", "AddResponseHeader"},
                // an operator's factory, not named in atoll.platform.routes.extra-filters here (ExtraRouteFiltersTest)
                {"[\"AtollCanary=5\"]", "'AtollCanary': unknown filter"}});
        assertThat(routeFilters("filtered")).hasSize(2);

        assertThat(send("PATCH", "/api/v1/apps/filtered", "{\"routeFilters\":[]}").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> routeFilters("filtered").isEmpty());
    }

    private Assignment assignment(String instance) {
        try {
            return codec.decode(curator.getData().forPath(paths.assignment("node-grace", instance)), Assignment.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
