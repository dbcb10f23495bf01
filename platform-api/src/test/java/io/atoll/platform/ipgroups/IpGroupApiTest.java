package io.atoll.platform.ipgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.Assignment;
import io.atoll.model.InstanceState;
import io.atoll.model.IpGroup;
import io.atoll.platform.ApiTestSupport;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 11 item 1, platform-api's side: IP groups kept in SQL and copied to ZooKeeper, an app's
 * dependencies carried by its instances' assignments (where the agents' firewalls read them)
 * without a new release, and every malformed group or dependency refused with a 4xx.
 */
class IpGroupApiTest extends ApiTestSupport {

    @Test
    void aGroupIsStoredCanonicalCopiedToZooKeeperAndReachesTheAssignmentsOfTheAppsThatDeclareIt() throws Exception {
        HttpResponse<String> created = send("PUT", "/api/v1/ipgroups/orders-db",
                "{\"cidrs\":[\"10.1.2.3/8\",\"192.168.0.7\",\"10.9.9.9/8\"],\"ports\":[5432,5432]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode body = json.readTree(created.body());
        assertThat(body.path("cidrs").toString()).isEqualTo("[\"10.0.0.0/8\",\"192.168.0.7/32\"]");
        assertThat(body.path("ports").toString()).isEqualTo("[5432]");
        assertThat(codec.decode(curator.getData().forPath(paths.ipGroup("orders-db")), IpGroup.class))
                .isEqualTo(new IpGroup("orders-db", List.of("10.0.0.0/8", "192.168.0.7/32"), List.of(5432)));

        // an app running two instances declares the group: the same instances, new assignments
        registerNode("node-deps");
        createApp("{\"name\":\"orders\"}");
        String id = json.readTree(send("POST", "/api/v1/apps/orders/deploys",
                "{\"image\":\"hello:1\",\"instances\":2}").body()).path("id").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            reportAll("node-deps", InstanceState.HEALTHY);
            return deployStatus("orders", id).equals("SUCCEEDED");
        });
        List<String> instances = assignments("node-deps");
        HttpResponse<String> declared = send("PUT", "/api/v1/apps/orders/dependencies",
                "{\"dependencies\":[\"orders-db\"]}");
        assertThat(declared.statusCode()).as(declared.body()).isEqualTo(200);
        assertThat(json.readTree(declared.body()).path("dependencies").toString()).isEqualTo("[\"orders-db\"]");
        await().atMost(Duration.ofSeconds(10)).until(() -> assignments("node-deps").stream().allMatch(instance ->
                assignment("node-deps", instance).dependencies().equals(List.of("orders-db"))));
        assertThat(assignments("node-deps")).isEqualTo(instances);
        assertThat(json.readTree(send("GET", "/api/v1/ipgroups/orders-db", null).body()).path("usedBy").toString())
                .isEqualTo("[\"orders\"]");

        // in use: not deleted; once no app declares it, gone from SQL and ZooKeeper
        assertThat(assertProblem(send("DELETE", "/api/v1/ipgroups/orders-db", null), 409).path("detail").asString())
                .contains("orders");
        assertThat(send("PUT", "/api/v1/apps/orders/dependencies", "{\"dependencies\":[]}").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> assignments("node-deps").stream().allMatch(instance ->
                assignment("node-deps", instance).dependencies().isEmpty()));
        assertThat(send("DELETE", "/api/v1/ipgroups/orders-db", null).statusCode()).isEqualTo(204);
        assertThat(curator.checkExists().forPath(paths.ipGroup("orders-db"))).isNull();
        assertProblem(send("GET", "/api/v1/ipgroups/orders-db", null), 404);
    }

    @Test
    void aMalformedGroupOrDependencyIsA4xxProblem() throws Exception {
        for (String bad : List.of("{\"cidrs\":[]}", "{\"ports\":[80]}", "{\"cidrs\":[\"300.1.1.1\"]}",
                "{\"cidrs\":[\"10.0.0.0/33\"]}", "{\"cidrs\":[\"fe80::1/64\"]}", "{\"cidrs\":[\"example.com\"]}",
                "{\"cidrs\":[\"10.0.0.1/+8\"]}", "{\"cidrs\":[null]}", "{\"cidrs\":[\"10.0.0.1\"],\"ports\":[0]}",
                "{\"cidrs\":[\"10.0.0.1\"],\"ports\":[70000]}", "{\"cidrs\":[\"10.0.0.1\"],\"ports\":[\"x\"]}",
                "{\"cidrs\":\"10.0.0.1\"}", "not json", "")) {
            assertProblem(send("PUT", "/api/v1/ipgroups/bad-input", bad), 400);
        }
        assertThat(assertProblem(send("PUT", "/api/v1/ipgroups/bad-input", "{\"cidrs\":[\"10.0.0.1\",\"1.2.3\"]}"), 400)
                .toString()).contains("cidrs[1]");
        for (String name : List.of("Bad_Name", "x", "-leading", "a" + "b".repeat(63))) {
            assertProblem(send("PUT", "/api/v1/ipgroups/" + name, "{\"cidrs\":[\"10.0.0.1\"]}"), 400);
        }
        assertThat(curator.checkExists().forPath(paths.ipGroup("bad-input"))).isNull();

        createApp("{\"name\":\"depender\"}");
        assertProblem(send("PUT", "/api/v1/apps/depender/dependencies", "{\"dependencies\":[\"no-such-group\"]}"), 400);
        assertProblem(send("PUT", "/api/v1/apps/depender/dependencies", "{\"dependencies\":null}"), 400);
        assertProblem(send("PUT", "/api/v1/apps/depender/dependencies", "{\"dependencies\":[\"../x\"]}"), 400);
        assertProblem(send("PUT", "/api/v1/apps/no-such-app/dependencies", "{\"dependencies\":[]}"), 404);
        assertProblem(send("DELETE", "/api/v1/ipgroups/no-such-group", null), 404);
    }

    private Assignment assignment(String node, String instance) {
        try {
            return codec.decode(curator.getData().forPath(paths.assignment(node, instance)), Assignment.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
