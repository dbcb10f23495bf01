package io.atoll.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.InstanceState;
import io.atoll.model.RouteRule;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.atoll.gateway.proxy.ProxyServer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The gateway as a user meets it: a real ZooKeeper holding routes and instance states, real
 * HTTP backends, requests over TCP with the Host header a browser would send.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "atoll.gateway.port=0",
        "atoll.gateway.connect-timeout=1s",
        "atoll.gateway.response-timeout=10s",
        "atoll.gateway.zone=z1",
        "atoll.gateway.snapshot-file=target/test-snapshots/routing.json"})
class GatewayRoutingTest {

    private static final ZkFixture zk = new ZkFixture();
    private static TestBackend alpha;
    private static TestBackend beta;

    @Autowired
    ProxyServer proxy;

    /** Boot's web server is the management port; traffic is on the proxy's. */
    @LocalServerPort
    int managementPort;

    @DynamicPropertySource
    static void zookeeper(DynamicPropertyRegistry registry) {
        registry.add("atoll.zookeeper.connect-string", zk::connectString);
        registry.add("atoll.gateway.vanished-grace", () -> "1500ms");
    }

    @BeforeAll
    static void backends() throws Exception {
        alpha = new TestBackend("alpha");
        beta = new TestBackend("beta");
    }

    @AfterAll
    static void stop() throws Exception {
        alpha.close();
        beta.close();
        zk.close();
    }

    private WebTestClient client() {
        return WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + proxy.port())
                .responseTimeout(Duration.ofSeconds(10))
                .build();
    }

    private EntityExchangeResult<String> get(String host, String path) {
        return client().get().uri(path).header("Host", host).exchange().expectBody(String.class).returnResult();
    }

    private void awaitStatus(String host, HttpStatus status) {
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(25))
                .until(() -> get(host, "/").getStatus().value() == status.value());
    }

    @Test
    void spreadsRequestsOverBothHealthyInstancesByAppHostAndConfiguredHosts() throws Exception {
        zk.route("web", RouteRule.forHosts(List.of("www.example.test", "*.apps.example.test")));
        zk.instance("web", "web-1", alpha.address(), InstanceState.HEALTHY);
        zk.instance("web", "web-2", beta.address(), InstanceState.HEALTHY);
        awaitStatus("web.localhost", HttpStatus.OK);

        Set<String> served = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            EntityExchangeResult<String> result = get("web.localhost", "/");
            assertThat(result.getStatus()).isEqualTo(HttpStatus.OK);
            served.add(result.getResponseBody());
        }
        assertThat(served).containsExactlyInAnyOrder("alpha", "beta");

        assertThat(get("www.example.test:8000", "/").getStatus()).isEqualTo(HttpStatus.OK);
        assertThat(get("WWW.Example.Test", "/").getStatus()).isEqualTo(HttpStatus.OK);
        assertThat(get("shop.apps.example.test", "/").getStatus()).isEqualTo(HttpStatus.OK);
        assertThat(get("apps.example.test", "/").getStatus()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void unknownHostIsA404Problem() {
        client().get().uri("/anything").header("Host", "nobody.example.test").exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status").isEqualTo(404)
                .jsonPath("$.title").isEqualTo("Not Found")
                .jsonPath("$.detail").isEqualTo("no app serves host 'nobody.example.test'")
                .jsonPath("$.trace").doesNotExist();
    }

    @Test
    void appWithoutHealthyInstanceIsA503ProblemWithRetryAfter() throws Exception {
        zk.route("idle", RouteRule.forHosts(List.of("idle.example.test")));
        zk.instance("idle", "idle-1", alpha.address(), InstanceState.HEALTHY);
        awaitStatus("idle.localhost", HttpStatus.OK);

        zk.instance("idle", "idle-1", alpha.address(), InstanceState.DRAINING);
        zk.instance("idle", "idle-2", beta.address(), InstanceState.STARTING);
        zk.instance("idle", "idle-3", beta.address(), InstanceState.UNHEALTHY);
        awaitStatus("idle.localhost", HttpStatus.SERVICE_UNAVAILABLE);
        for (int i = 0; i < 5; i++) {
            client().get().uri("/").header("Host", "idle.example.test").exchange()
                    .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                    .expectHeader().valueEquals("Retry-After", "5")
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody()
                    .jsonPath("$.status").isEqualTo(503)
                    .jsonPath("$.detail").isEqualTo("app 'idle' has no healthy instance");
        }

        zk.removeInstance("idle", "idle-1");
        zk.removeInstance("idle", "idle-2");
        zk.removeInstance("idle", "idle-3");
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(get("idle.localhost", "/").getStatus()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE));
    }

    @Test
    void changesInZooKeeperAreServedWithinASecond() throws Exception {
        zk.route("live", RouteRule.forHosts(List.of("live.example.test")));
        awaitStatus("live.localhost", HttpStatus.SERVICE_UNAVAILABLE);

        zk.instance("live", "live-1", alpha.address(), InstanceState.STARTING);
        zk.instance("live", "live-1", alpha.address(), InstanceState.HEALTHY);
        awaitStatus("live.localhost", HttpStatus.OK);
        assertThat(get("live.localhost", "/").getResponseBody()).isEqualTo("alpha");

        zk.instance("live", "live-2", beta.address(), InstanceState.HEALTHY);
        zk.instance("live", "live-1", alpha.address(), InstanceState.DRAINING);
        await().atMost(Duration.ofSeconds(1)).until(() -> "beta".equals(get("live.localhost", "/").getResponseBody()));
        for (int i = 0; i < 5; i++) {
            assertThat(get("live.localhost", "/").getResponseBody()).isEqualTo("beta");
        }

        zk.removeInstance("live", "live-2");
        await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50))
                .until(() -> get("live.localhost", "/").getStatus().value() == 503);
    }

    /** What a node agent's restart looks like from here: its instances' nodes vanish, then return. */
    @Test
    void instanceThatVanishesWhileHealthyKeepsServingForTheGrace() throws Exception {
        zk.route("sticky", RouteRule.forHosts(List.of("sticky.example.test")));
        zk.instance("sticky", "sticky-1", alpha.address(), InstanceState.HEALTHY);
        awaitStatus("sticky.localhost", HttpStatus.OK);

        zk.removeInstance("sticky", "sticky-1");
        long removed = System.nanoTime();
        while (System.nanoTime() - removed < Duration.ofMillis(1000).toNanos()) {
            assertThat(get("sticky.localhost", "/").getResponseBody()).isEqualTo("alpha");
            Thread.sleep(20);
        }
        // back within the grace (the agent re-adopted it): it stays, past the grace too
        zk.instance("sticky", "sticky-1", alpha.address(), InstanceState.HEALTHY);
        Thread.sleep(1500);
        assertThat(get("sticky.localhost", "/").getResponseBody()).isEqualTo("alpha");

        // gone for good: served through the grace, then 503
        zk.removeInstance("sticky", "sticky-1");
        assertThat(get("sticky.localhost", "/").getStatus()).isEqualTo(HttpStatus.OK);
        await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50))
                .until(() -> get("sticky.localhost", "/").getStatus().value() == 503);

        // drained before it left: no grace at all
        zk.instance("sticky", "sticky-2", beta.address(), InstanceState.HEALTHY);
        awaitStatus("sticky.localhost", HttpStatus.OK);
        zk.instance("sticky", "sticky-2", beta.address(), InstanceState.DRAINING);
        awaitStatus("sticky.localhost", HttpStatus.SERVICE_UNAVAILABLE);
        zk.removeInstance("sticky", "sticky-2");
        for (int i = 0; i < 5; i++) {
            assertThat(get("sticky.localhost", "/").getStatus()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        }
    }

    @Test
    void refusedConnectionIsA502ProblemAndIdempotentRequestsTryAnotherInstance() throws Exception {
        zk.route("dead", RouteRule.forHosts(List.of()));
        zk.instance("dead", "dead-1", TestBackend.closedAddress(), InstanceState.HEALTHY);
        awaitStatus("dead.localhost", HttpStatus.BAD_GATEWAY);
        client().post().uri("/orders").header("Host", "dead.localhost").bodyValue("{}").exchange()
                .expectStatus().isEqualTo(HttpStatus.BAD_GATEWAY)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status").isEqualTo(502)
                .jsonPath("$.detail").isEqualTo("an instance of app 'dead' refused the connection");

        zk.instance("half", "half-1", TestBackend.closedAddress(), InstanceState.HEALTHY);
        zk.instance("half", "half-2", alpha.address(), InstanceState.HEALTHY);
        awaitStatus("half.localhost", HttpStatus.OK);
        for (int i = 0; i < 6; i++) {
            EntityExchangeResult<String> result = get("half.localhost", "/");
            assertThat(result.getStatus()).isEqualTo(HttpStatus.OK);
            assertThat(result.getResponseBody()).isEqualTo("alpha");
        }
    }

    @Test
    void ruleRetriesBoundHowManyInstancesAnIdempotentRequestTries() throws Exception {
        // default: one retry, so with three dead instances a GET gives up after two
        zk.route("dead3", RouteRule.forHosts(List.of()));
        for (int i = 1; i <= 3; i++) {
            zk.instance("dead3", "dead3-" + i, TestBackend.closedAddress(), InstanceState.HEALTHY);
        }
        awaitStatus("dead3.localhost", HttpStatus.BAD_GATEWAY);
        zk.route("dead3", new RouteRule(List.of(), "/", Map.of(), Map.of(), false, 0, 0, 2));
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> client().get().uri("/")
                .header("Host", "dead3.localhost").exchange()
                .expectStatus().isEqualTo(HttpStatus.BAD_GATEWAY)
                .expectBody().jsonPath("$.detail")
                .isEqualTo("an instance of app 'dead3' refused the connection (tried 3 instances)"));
        zk.route("dead3", new RouteRule(List.of(), "/", Map.of(), Map.of(), false, 0, 0, 1));
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> client().get().uri("/")
                .header("Host", "dead3.localhost").exchange()
                .expectBody().jsonPath("$.detail")
                .isEqualTo("an instance of app 'dead3' refused the connection (tried 2 instances)"));

        // two retries: the very first GET to an app whose first two picks may both be dead is
        // answered (the route, written last, makes the host known only once all three are in)
        for (int round = 0; round < 3; round++) {
            String app = "retry" + round;
            String host = app + ".example.test";
            zk.instance(app, app + "-a", TestBackend.closedAddress(), InstanceState.HEALTHY);
            zk.instance(app, app + "-b", TestBackend.closedAddress(), InstanceState.HEALTHY);
            zk.instance(app, app + "-c", alpha.address(), InstanceState.HEALTHY);
            zk.route(app, new RouteRule(List.of(host), "/", Map.of(), Map.of(), false, 0, 0, 2));
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> {
                HttpStatus status = (HttpStatus) get(host, "/").getStatus();
                assertThat(status).isIn(HttpStatus.OK, HttpStatus.NOT_FOUND);
                return status == HttpStatus.OK;
            });
        }
    }

    @Test
    void sameZoneInstancesTakeTheTrafficWhileThereIsOne() throws Exception {
        zk.route("zoned", RouteRule.forHosts(List.of()));
        zk.instance("zoned", "zoned-far", alpha.address(), InstanceState.HEALTHY, "z2", "r1");
        zk.instance("zoned", "zoned-near", beta.address(), InstanceState.HEALTHY, "z1", "r1");
        await().atMost(Duration.ofSeconds(1)).until(() -> "beta".equals(get("zoned.localhost", "/").getResponseBody()));
        for (int i = 0; i < 10; i++) {
            assertThat(get("zoned.localhost", "/").getResponseBody()).isEqualTo("beta");
        }
        zk.instance("zoned", "zoned-near", beta.address(), InstanceState.DRAINING, "z1", "r1");
        await().atMost(Duration.ofSeconds(1)).until(() -> "alpha".equals(get("zoned.localhost", "/").getResponseBody()));
        for (int i = 0; i < 5; i++) {
            assertThat(get("zoned.localhost", "/").getResponseBody()).isEqualTo("alpha");
        }
    }

    @Test
    void canaryReleaseGetsItsWeightedShare() throws Exception {
        zk.route("canary", Map.of("stable", 80, "canary", 20), RouteRule.forHosts(List.of()));
        zk.instance("canary", "canary-1", alpha.address(), InstanceState.HEALTHY, "z1", "stable");
        zk.instance("canary", "canary-2", beta.address(), InstanceState.HEALTHY, "z1", "canary");
        await().atMost(Duration.ofSeconds(1)).until(() -> "beta".equals(get("canary.localhost", "/").getResponseBody()));
        WebTestClient client = client();
        int canary = 0;
        for (int i = 0; i < 50; i++) {
            canary += "beta".equals(client.get().uri("/").header("Host", "canary.localhost").exchange()
                    .expectBody(String.class).returnResult().getResponseBody()) ? 1 : 0;
        }
        assertThat(canary).isBetween(8, 12);

        zk.route("canary", Map.of("stable", 100), RouteRule.forHosts(List.of()));
        await().atMost(Duration.ofSeconds(1)).until(() -> {
            for (int i = 0; i < 10; i++) {
                if (!"alpha".equals(get("canary.localhost", "/").getResponseBody())) {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * Issue 9: a host is never moved from its owner. Apps that name a host claimed before them,
     * even with more specific rules, and apps that name another app's {@code {app}.{domain}},
     * get nothing of it.
     */
    @Test
    void aHostStaysWithTheAppThatClaimedItFirst() throws Exception {
        try (TestBackend gamma = new TestBackend("gamma")) {
            zk.route("plain", RouteRule.forHosts(List.of("match.example.test")));
            zk.instance("plain", "plain-1", alpha.address(), InstanceState.HEALTHY);
            awaitStatus("match.example.test", HttpStatus.OK);
            zk.route("beta-users", new RouteRule(List.of("match.example.test"), "/", Map.of("X-Beta", "yes"),
                    Map.of(), false, 0, 0, 0));
            zk.route("preview", new RouteRule(List.of("match.example.test"), "/x", Map.of(),
                    Map.of("preview", "on air"), false, 0, 0, 0), RouteRule.forHosts(List.of("plain.localhost")));
            zk.instance("beta-users", "beta-users-1", beta.address(), InstanceState.HEALTHY);
            zk.instance("preview", "preview-1", gamma.address(), InstanceState.HEALTHY);
            await().atMost(Duration.ofSeconds(1)).until(() -> "gamma".equals(get("preview.localhost", "/").getResponseBody())
                    && "beta".equals(get("beta-users.localhost", "/").getResponseBody()));

            assertThat(get("match.example.test", "/").getResponseBody()).isEqualTo("alpha");
            client().get().uri("/x").header("Host", "match.example.test").header("x-beta", "yes").exchange()
                    .expectStatus().isOk().expectBody(String.class).isEqualTo("alpha");
            client().get().uri(URI.create("http://127.0.0.1:" + proxy.port() + "/x?preview=on%20air"))
                    .header("Host", "match.example.test").exchange()
                    .expectStatus().isOk().expectBody(String.class).isEqualTo("alpha");
            assertThat(get("plain.localhost", "/").getResponseBody()).isEqualTo("alpha");
        }
    }

    @Test
    void slowInstanceIsA504Problem() throws Exception {
        zk.route("slow", new RouteRule(List.of("slow.example.test"), "/", Map.of(), Map.of(), false, 0, 300, 0));
        zk.instance("slow", "slow-1", alpha.address(), InstanceState.HEALTHY);
        awaitStatus("slow.example.test", HttpStatus.OK);
        client().get().uri("/slow").header("Host", "slow.example.test").exchange()
                .expectStatus().isEqualTo(HttpStatus.GATEWAY_TIMEOUT)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status").isEqualTo(504)
                .jsonPath("$.detail").isEqualTo("an instance of app 'slow' did not answer in time");
    }

    @Test
    void instanceSeesRequestIdForwardedForAndTheOriginalHost() throws Exception {
        zk.route("echo", RouteRule.forHosts(List.of("echo.example.test")));
        zk.instance("echo", "echo-1", beta.address(), InstanceState.HEALTHY);
        awaitStatus("echo.localhost", HttpStatus.OK);

        client().get().uri(URI.create("http://127.0.0.1:" + proxy.port() + "/a/b?x=1%202")).header("Host", "echo.example.test")
                .header("X-Request-Id", "req-42").exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("X-Request-Id", "req-42")
                .expectHeader().valueEquals("Seen-Request-Id", "req-42")
                .expectHeader().valueEquals("Seen-Forwarded-For", "127.0.0.1")
                .expectHeader().valueEquals("Seen-Forwarded-Host", "echo.example.test")
                .expectHeader().valueEquals("Seen-Host", "echo.example.test")
                .expectHeader().valueEquals("Seen-Path", "/a/b?x=1%202");

        EntityExchangeResult<String> generated = get("echo.localhost", "/");
        String id = generated.getResponseHeaders().getFirst("X-Request-Id");
        assertThat(id).isNotBlank();
        assertThat(generated.getResponseHeaders().getFirst("Seen-Request-Id")).isEqualTo(id);
        assertThat(get("nobody.example.test", "/").getResponseHeaders().getFirst("X-Request-Id")).isNotBlank();
    }

    @Test
    void longestPathPrefixWinsAndCanBeStripped() throws Exception {
        zk.route("shop", RouteRule.forHosts(List.of("shop.example.test")),
                new RouteRule(List.of("shop.example.test"), "/api/", Map.of(), Map.of(), true, 0, 0, 0));
        zk.instance("shop", "shop-1", beta.address(), InstanceState.HEALTHY);
        await().atMost(Duration.ofSeconds(1)).until(() -> "beta".equals(get("shop.example.test", "/api/v1").getResponseBody()));

        EntityExchangeResult<String> api = get("shop.example.test", "/api/v1/items");
        assertThat(api.getResponseHeaders().getFirst("Seen-Path")).isEqualTo("/v1/items");
        assertThat(get("shop.example.test", "/apiary").getResponseHeaders().getFirst("Seen-Path")).isEqualTo("/apiary");
        assertThat(get("shop.example.test", "/").getResponseHeaders().getFirst("Seen-Path")).isEqualTo("/");
    }

    private WebTestClient.BodyContentSpec lookup(String query) {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build()
                .get().uri(URI.create("http://127.0.0.1:" + managementPort + "/actuator/routing" + query)).exchange()
                .expectStatus().isOk().expectBody();
    }

    private static String param(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void managementPortAnswersWhereAHostAndPathWouldGoWithTheTablesVersionAndAge() throws Exception {
        zk.route("where-site", RouteRule.forHosts(List.of("where.example.test")));
        zk.route("where-api", new RouteRule(List.of("api.where.example.test"), "/api", Map.of("X-Tenant", "blue"),
                Map.of(), true, 0, 700, 2), RouteRule.forHosts(List.of("api.where.example.test")));
        zk.route("where-idle", RouteRule.forHosts(List.of("idle.where.example.test")));
        zk.instance("where-site", "where-site-1", alpha.address(), InstanceState.HEALTHY);
        zk.instance("where-api", "where-api-1", beta.address(), InstanceState.HEALTHY, "z1", "r7");
        zk.instance("where-api", "where-api-2", alpha.address(), InstanceState.HEALTHY, "z2", "r7");
        awaitStatus("where.example.test", HttpStatus.OK);
        await().atMost(Duration.ofSeconds(1)).until(() -> client().get().uri("/api").header("Host", "api.where.example.test")
                .header("X-Tenant", "blue").exchange().returnResult(String.class).getStatus() == HttpStatus.OK);

        lookup("?host=" + param("Api.Where.Example.Test:8000") + "&path=" + param("/api/v1/items?x=1")
                + "&header=" + param("x-tenant: blue"))
                .jsonPath("$.outcome").isEqualTo("ROUTED")
                .jsonPath("$.status").isEqualTo(200)
                .jsonPath("$.host").isEqualTo("api.where.example.test")
                .jsonPath("$.app").isEqualTo("where-api")
                .jsonPath("$.rule.pathPrefix").isEqualTo("/api")
                .jsonPath("$.rule.forwardedPath").isEqualTo("/v1/items")
                .jsonPath("$.rule.retries").isEqualTo(2)
                .jsonPath("$.rule.responseTimeoutMillis").isEqualTo(700)
                .jsonPath("$.instances.length()").isEqualTo(2)
                .jsonPath("$.instances[0].instanceId").isEqualTo("where-api-1")
                .jsonPath("$.instances[0].sameZone").isEqualTo(true)
                .jsonPath("$.instances[0].address").isEqualTo(beta.address())
                .jsonPath("$.instances[1].instanceId").isEqualTo("where-api-2")
                .jsonPath("$.instances[1].sameZone").isEqualTo(false)
                .jsonPath("$.instances[1].ejected").isEqualTo(false)
                .jsonPath("$.table.version").value(v -> assertThat(((Number) v).longValue()).isPositive())
                .jsonPath("$.table.ageMillis").value(v -> assertThat(((Number) v).longValue()).isNotNegative())
                .jsonPath("$.table.synced").isEqualTo(true);
        // without the header the API rule does not match: the app's plain rule does
        lookup("?host=api.where.example.test&path=/api/v1").jsonPath("$.app").isEqualTo("where-api")
                .jsonPath("$.rule.pathPrefix").isEqualTo("/")
                .jsonPath("$.rule.forwardedPath").isEqualTo("/api/v1");
        lookup("?host=idle.where.example.test").jsonPath("$.outcome").isEqualTo("NO_HEALTHY_INSTANCE")
                .jsonPath("$.status").isEqualTo(503).jsonPath("$.app").isEqualTo("where-idle");
        lookup("?host=nobody.example.test&path=/x").jsonPath("$.outcome").isEqualTo("NO_ROUTE")
                .jsonPath("$.status").isEqualTo(404);
        lookup("").jsonPath("$.outcome").doesNotExist()
                .jsonPath("$.table.version").value(v -> assertThat(((Number) v).longValue()).isPositive());
        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build()
                .get().uri(URI.create("http://127.0.0.1:" + managementPort + "/actuator/routing?host=a.test&path="
                        + param("/a b"))).exchange()
                .expectStatus().isBadRequest();

        // The traffic port does not have it: for the gateway it is just a path of some host.
        client().get().uri("/actuator/routing?host=where.example.test").exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.detail").isEqualTo("no app serves host '127.0.0.1'");
        client().get().uri("/actuator/routing?host=where.example.test").header("Host", "where.example.test").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).isEqualTo("alpha");
        client().get().uri("/actuator/health").exchange().expectStatus().isNotFound();
    }

    @Test
    void managementPortReportsTableAndPerAppMetrics() throws Exception {
        zk.route("metered", RouteRule.forHosts(List.of()));
        zk.instance("metered", "metered-1", alpha.address(), InstanceState.HEALTHY);
        awaitStatus("metered.localhost", HttpStatus.OK);
        get("metered.localhost", "/");
        get("nobody.example.test", "/");

        WebTestClient management = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build();
        management.get().uri("/actuator/health").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.zookeeper.status").isEqualTo("UP")
                .jsonPath("$.components.routingTable.status").isEqualTo("UP")
                .jsonPath("$.components.routingTable.details.synced").isEqualTo(true)
                .jsonPath("$.components.routingTable.details.version").value(v -> assertThat((Integer) v).isPositive());
        String prometheus = management.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(prometheus)
                .contains("atoll_gateway_requests_seconds_count{app=\"metered\",status=\"200\"}")
                .contains("atoll_gateway_requests_seconds_count{app=\"unknown\",status=\"404\"}");
    }
}
