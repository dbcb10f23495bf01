package io.atoll.platform.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.RouteFilter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Issue 14 item 3: an operator who added a {@code GatewayFilterFactory} to the gateway names it in
 * {@code atoll.platform.routes.extra-filters}, and apps may then use it in their routes; the same
 * name is refused where it is not listed (AppSettingsTest). Its arguments are taken as they are,
 * but still never with a CR LF or an SCG expression.
 */
// A context of its own (another catalogue): its own ZooKeeper root and database, as NodeLossTest.
@TestPropertySource(properties = {
        "atoll.platform.routes.extra-filters=AtollCanary, StampTenant",
        "atoll.zookeeper.root=/atoll-extra-filters",
        "spring.datasource.url=jdbc:h2:mem:platform-api-extra-filters;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000"})
class ExtraRouteFiltersTest extends RouteFiltersTestSupport {

    @Test
    void anOperatorsListedFilterIsAcceptedAndReachesTheRouteWithItsArguments() throws Exception {
        deployedWithHost("canaried", "node-extra");

        HttpResponse<String> patched = send("PATCH", "/api/v1/apps/canaried", "{\"routeFilters\":["
                + "\"AtollCanary=5, beta\","
                + "{\"name\":\"StampTenant\",\"args\":{\"tenant\":\"acme\"}},"
                + "\"AddResponseHeader=X-Served, atoll\"]}");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> routeFilters("canaried").size() == 3);
        List<RouteFilter> written = routeFilters("canaried");
        assertThat(written.get(0).name()).isEqualTo("AtollCanary");
        assertThat(written.get(0).args().values()).containsExactly("5", "beta");
        assertThat(written.get(1).name()).isEqualTo("StampTenant");
        assertThat(written.get(1).args()).containsEntry("tenant", "acme");

        // Listed filters get the checks every argument gets; standard ones keep their own; others stay unknown.
        assertRefused("canaried", new String[][] {
                {"[\"AtollCanary=5, #{T(java.lang.Runtime).getRuntime()}\"]", "'AtollCanary': argument"},
                {"[\"AtollCanary=5\\r\\nX-Injected: 1\"]", "'AtollCanary': argument"},
                {"[{\"name\":\"StampTenant\",\"args\":{\"tenant\":\"a\\r\\nb\"}}]", "'StampTenant': argument tenant"},
                {"[\"SetStatus=999\"]", "'SetStatus'"},
                {"[\"AtollCanaryTwo=5\"]", "'AtollCanaryTwo': unknown filter"}});
        assertThat(routeFilters("canaried")).hasSize(3);
    }
}
