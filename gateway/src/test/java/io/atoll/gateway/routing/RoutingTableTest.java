package io.atoll.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.gateway.config.AtollGatewayProperties;
import io.atoll.model.AppRoute;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.RouteRule;
import java.time.Instant;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedMultiValueMap;

class RoutingTableTest {

    private final RoutingTableBuilder builder = new RoutingTableBuilder(
            new AtollGatewayProperties("apps.test", null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, null, null, null, null));

    private static AppRoute route(String app, RouteRule... rules) {
        return new AppRoute(app, List.of(rules), Map.of(), 1);
    }

    private static RouteRule rule(String host, String prefix) {
        return new RouteRule(List.of(host), prefix, Map.of(), Map.of(), false, 0, 0, 0);
    }

    private static InstanceStatus instance(String app, String id, String address, InstanceState state) {
        return new InstanceStatus(id, app, "n1", "z1", "r1", address, state, Instant.EPOCH, "c");
    }

    private static Resolution resolve(RoutingTable table, String host, String path) {
        return table.resolve(host, path, new HttpHeaders(), new LinkedMultiValueMap<>());
    }

    private static String appOf(Resolution resolution) {
        return resolution instanceof Resolution.Match match ? match.rule().app()
                : resolution instanceof Resolution.NoHealthyInstance none ? none.app() : null;
    }

    @Test
    void everyAppAnswersAtItsNameUnderTheDefaultDomain() {
        RoutingTable table = builder.build(1, Map.of("web", route("web")),
                Map.of("worker/w1", instance("worker", "w1", "10.0.0.1:80", InstanceState.HEALTHY)));
        assertThat(appOf(resolve(table, "web.apps.test", "/"))).isEqualTo("web");
        assertThat(resolve(table, "web.apps.test", "/")).isInstanceOf(Resolution.NoHealthyInstance.class);
        assertThat(appOf(resolve(table, "Worker.Apps.Test:8000", "/x"))).isEqualTo("worker");
        assertThat(resolve(table, "web.localhost", "/")).isInstanceOf(Resolution.NoRoute.class);
    }

    @Test
    void exactHostBeatsWildcardAndTheLongestWildcardSuffixWins() {
        // The narrower names were claimed first; a wider wildcard claimed later takes only the rest.
        RoutingTable table = builder.build(1, Map.of(
                "any", route("any", rule("*.example.com", "/")),
                "eu", route("eu", rule("*.eu.example.com", "/")),
                "www", route("www", rule("www.eu.example.com", "/"))), Map.of(),
                Map.of("www", 1L, "eu", 2L, "any", 3L));
        assertThat(appOf(resolve(table, "www.eu.example.com", "/"))).isEqualTo("www");
        assertThat(appOf(resolve(table, "shop.eu.example.com", "/"))).isEqualTo("eu");
        assertThat(appOf(resolve(table, "a.b.example.com", "/"))).isEqualTo("any");
        assertThat(resolve(table, "example.com", "/")).isInstanceOf(Resolution.NoRoute.class);
    }

    @Test
    void aNameInsideAnotherAppsEarlierWildcardIsNeverTakenFromIt() {
        RoutingTable table = builder.build(1, Map.of(
                "any", route("any", rule("*.example.com", "/")),
                "eu", route("eu", rule("*.eu.example.com", "/")),
                "www", route("www", rule("www.eu.example.com", "/"), rule("www.other.test", "/"))), Map.of(),
                Map.of("any", 1L, "eu", 2L, "www", 3L));
        assertThat(appOf(resolve(table, "www.eu.example.com", "/"))).isEqualTo("any");
        assertThat(appOf(resolve(table, "shop.eu.example.com", "/"))).isEqualTo("any");
        assertThat(appOf(resolve(table, "www.other.test", "/"))).isEqualTo("www");
    }

    @Test
    void theFirstClaimOwnsAHostWhateverTheNamesAndRulesOfLaterOnes() {
        RoutingTable table = builder.build(1, Map.of(
                "zeta", route("zeta", rule("shop.test", "/")),
                "alpha", route("alpha", rule("shop.test", "/api"), rule("zeta.apps.test", "/"))), Map.of(),
                Map.of("zeta", 10L, "alpha", 20L));
        assertThat(appOf(resolve(table, "shop.test", "/api/x"))).isEqualTo("zeta");
        assertThat(appOf(resolve(table, "shop.test", "/"))).isEqualTo("zeta");
        // {app}.{default-domain} is always the app's own, even for an earlier claim
        RoutingTable squatted = builder.build(1, Map.of(
                "alpha", route("alpha", rule("zeta.apps.test", "/")),
                "zeta", route("zeta")), Map.of(), Map.of("alpha", 1L, "zeta", 2L));
        assertThat(appOf(resolve(squatted, "zeta.apps.test", "/"))).isEqualTo("zeta");
    }

    @Test
    void aWildcardOverTheDefaultDomainIsIgnoredSoEveryAppKeepsTheNamesBelowItsOwn() {
        RoutingTable table = builder.build(1, Map.of(
                "wild", route("wild", rule("*.apps.test", "/"), rule("*.test", "/")),
                "mock", route("mock", rule("*.mock.apps.test", "/"))), Map.of(),
                Map.of("wild", 1L, "mock", 2L));
        assertThat(appOf(resolve(table, "api.mock.apps.test", "/"))).isEqualTo("mock");
        assertThat(resolve(table, "ghost.apps.test", "/")).isInstanceOf(Resolution.NoRoute.class);
        assertThat(resolve(table, "other.test", "/")).isInstanceOf(Resolution.NoRoute.class);
    }

    @Test
    void withinAnAppTheLongestPrefixThenTheMostMatchersWinAndPrefixesMatchWholeSegments() {
        RoutingTable table = builder.build(1, Map.of("site", route("site", rule("shop.test", "/"),
                rule("shop.test", "/api/"), rule("shop.test", "/api/v2"),
                new RouteRule(List.of("shop.test"), "/api", Map.of("X-Beta", "yes"), Map.of(), true, 0, 0, 0)
        )), Map.of("site/a", instance("site", "a", "10.0.0.1:8080", InstanceState.HEALTHY)));
        assertThat(ruleOf(resolve(table, "shop.test", "/api/v2/x")).pathPrefix()).isEqualTo("/api/v2");
        assertThat(ruleOf(resolve(table, "shop.test", "/api/v2")).pathPrefix()).isEqualTo("/api/v2");
        assertThat(ruleOf(resolve(table, "shop.test", "/api/v20")).pathPrefix()).isEqualTo("/api");
        assertThat(ruleOf(resolve(table, "shop.test", "/api/v20")).headers()).isEmpty();
        assertThat(ruleOf(resolve(table, "shop.test", "/apiary")).pathPrefix()).isEqualTo("/");
        HttpHeaders beta = new HttpHeaders();
        beta.add("x-beta", "yes");
        AppRule withHeader = ruleOf(table.resolve("shop.test", "/api/x", beta, new LinkedMultiValueMap<>()));
        assertThat(withHeader.headers()).containsEntry("X-Beta", "yes");
        assertThat(withHeader.forwardedPath("/api/x")).isEqualTo("/x");
    }

    private static AppRule ruleOf(Resolution resolution) {
        return ((Resolution.Match) resolution).rule();
    }

    @Test
    void onlyHealthyInstancesWithUsableAddressesAreBackends() {
        RoutingTable table = builder.build(1, Map.of("web", route("web")), Map.of(
                "web/a", instance("web", "a", "10.0.0.1:8080", InstanceState.HEALTHY),
                "web/b", instance("web", "b", "10.0.0.2:8080", InstanceState.DRAINING),
                "web/c", instance("web", "c", "10.0.0.3:8080", InstanceState.STARTING),
                "web/d", instance("web", "d", "10.0.0.4:8080", InstanceState.UNHEALTHY),
                "web/e", instance("web", "e", "10.0.0.5:8080", InstanceState.CRASHLOOP),
                "web/f", instance("web", "f", "no-port", InstanceState.HEALTHY),
                "web/g", instance("web", "g", "::1:9000", InstanceState.HEALTHY)));
        Resolution.Match match = (Resolution.Match) resolve(table, "web.apps.test", "/");
        assertThat(match.backends().all()).extracting(Backend::authority).containsExactly("10.0.0.1:8080", "[::1]:9000");
    }

    @Test
    void ruleTimeoutsReachTheProxyThroughTheRouteMetadata() {
        RoutingTable table = builder.build(1, Map.of("web", route("web",
                new RouteRule(List.of("web.test"), "/", Map.of(), Map.of(), false, 100, 250, 0))), Map.of(
                "web/a", instance("web", "a", "10.0.0.1:8080", InstanceState.HEALTHY)));
        Resolution.Match custom = (Resolution.Match) resolve(table, "web.test", "/");
        assertThat(custom.rule().connectTimeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(custom.rule().responseTimeout()).isEqualTo(Duration.ofMillis(250));
        Resolution.Match defaults = (Resolution.Match) resolve(table, "web.apps.test", "/");
        assertThat(defaults.rule().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(defaults.rule().responseTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.rule().retries()).isEqualTo(1);
    }

    @Test
    void aHostClaimedTwiceKeepsOneOwnerAndInvalidHostsAreSkipped() {
        RoutingTable table = builder.build(1, Map.of(
                "alpha", route("alpha", rule("same.test", "/"), rule("bad host", "/"), rule("a*b.test", "/")),
                "beta", route("beta", rule("same.test", "/"))), Map.of());
        assertThat(appOf(resolve(table, "same.test", "/"))).isEqualTo("alpha");
        assertThat(table.knowsHost("a*b.test")).isFalse();
        assertThat(table.hostCount()).isEqualTo(3);
    }

    @Test
    void hostNormalisation() {
        assertThat(RoutingTable.normaliseHost("Web.Example.COM.:443")).isEqualTo("web.example.com");
        assertThat(RoutingTable.normaliseHost("[::1]:8000")).isEqualTo("[::1]");
        assertThat(RoutingTable.normaliseHost("  ")).isNull();
        assertThat(RoutingTable.normaliseHost(null)).isNull();
    }
}
