package io.atoll.platform.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.AppRoute;
import io.atoll.model.InstanceState;
import io.atoll.model.RouteFilter;
import io.atoll.platform.ApiTestSupport;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** An app with a route in ZooKeeper (written once it has a release), and the filters that route carries. */
abstract class RouteFiltersTestSupport extends ApiTestSupport {

    /** Creates {@code app} with one host, deployed with one healthy instance on {@code node}. */
    protected void deployedWithHost(String app, String node) throws Exception {
        assertThat(createApp("{\"name\":\"" + app + "\",\"hosts\":[\"" + app + ".example.test\"]}").statusCode())
                .isEqualTo(201);
        registerNode(node);
        String id = json.readTree(send("POST", "/api/v1/apps/" + app + "/deploys",
                "{\"image\":\"hello:1\",\"instances\":1}").body()).path("id").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            reportAll(node, InstanceState.HEALTHY);
            return deployStatus(app, id).equals("SUCCEEDED");
        });
    }

    /** Each {filters, text} is refused with a 400 problem whose body holds the text (the filter's name). */
    protected void assertRefused(String app, String[][] filtersAndText) throws Exception {
        for (String[] bad : filtersAndText) {
            HttpResponse<String> refused = send("PATCH", "/api/v1/apps/" + app, "{\"routeFilters\":" + bad[0] + "}");
            assertProblem(refused, 400);
            assertThat(refused.body()).as(bad[0]).contains(bad[1]);
        }
    }

    protected List<RouteFilter> routeFilters(String app) throws Exception {
        AppRoute route = codec.decode(curator.getData().forPath(paths.route(app)), AppRoute.class);
        return route.rules().get(0).filters();
    }
}
