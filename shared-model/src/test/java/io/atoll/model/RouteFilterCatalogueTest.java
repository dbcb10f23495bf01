package io.atoll.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atoll.json.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What platform-api accepts as a route filter, and how a filter is stored in ZooKeeper. */
class RouteFilterCatalogueTest {

    private final RouteFilterCatalogue catalogue = RouteFilterCatalogue.standard();
    private final JsonCodec codec = JsonCodec.shared();

    private List<String> problems(String... shortcuts) {
        return catalogue.problems("filters", List.of(shortcuts).stream().map(RouteFilter::parse).toList());
    }

    @Test
    void theShortcutIsSplitAsScgSplitsIt() {
        RouteFilter filter = RouteFilter.parse("RewritePath=/api/(?<rest>.*), /${rest}");
        assertThat(filter.name()).isEqualTo("RewritePath");
        assertThat(filter.args()).containsExactly(Map.entry("_genkey_0", "/api/(?<rest>.*)"),
                Map.entry("_genkey_1", "/${rest}"));
        assertThat(RouteFilter.parse("PreserveHostHeader").args()).isEmpty();
        assertThat(RouteFilter.parse("AddResponseHeader=X-A,,b ").args()).containsValues("X-A", "b").hasSize(2);
    }

    @Test
    void aRuleReadsStringsAndObjectsAndAPlainRuleEncodesAsBefore() {
        String json = """
                {"hosts":["a.example.com"],"pathPrefix":"/","filters":["AddResponseHeader=X-A, b",
                 {"name":"RequestRateLimiter","args":{"in-memory-rate-limiter.replenishRate":"5"}}]}""";
        RouteRule rule = codec.decode(json.getBytes(StandardCharsets.UTF_8), RouteRule.class);
        assertThat(rule.filters()).extracting(RouteFilter::name).containsExactly("AddResponseHeader",
                "RequestRateLimiter");
        assertThat(codec.decode(codec.encode(rule), RouteRule.class)).isEqualTo(rule);
        assertThat(codec.encodeToString(RouteRule.forHosts(List.of("a.example.com")))).doesNotContain("filters");
    }

    @Test
    void validDefinitionsPass() {
        assertThat(problems("RewritePath=/api/(?<rest>.*), /${rest}", "AddResponseHeader=X-A, b", "SetStatus=418",
                "SetStatus=I_AM_A_TEAPOT", "AddResponseHeader=X-A, b, true", "RedirectTo=302, https://example.com/x",
                "RedirectTo=301, /elsewhere, true", "StripPrefix=1", "PreserveHostHeader",
                "BasicAuth=alice, " + "a".repeat(64))).isEmpty();
        assertThat(catalogue.problems("filters", List.of(new RouteFilter("RewritePath",
                Map.of("regexp", "/a", "replacement", "/b"))))).isEmpty();
        assertThat(catalogue.problems("filters", List.of(new RouteFilter("RequestRateLimiter",
                Map.of("in-memory-rate-limiter.replenishRate", "5", "statusCode", "429"))))).isEmpty();
    }

    @Test
    void eachProblemNamesTheFilterAndWhatIsWrong() {
        assertThat(problems("Nope=1")).singleElement().asString().startsWith("filters[0] 'Nope': unknown filter");
        assertThat(problems("AddResponseHeader=X-A, b", "RewritePath=/a(, /b")).singleElement().asString()
                .startsWith("filters[1] 'RewritePath': regexp is not a valid regular expression");
        assertThat(problems("AddResponseHeader=X-A")).singleElement().asString()
                .contains("'AddResponseHeader'").contains("value is missing");
        assertThat(problems("SetStatus=418, 419")).singleElement().asString().contains("at most 1 arguments");
        assertThat(problems("SetStatus=99")).singleElement().asString().contains("not an HTTP status");
        // SCG's RequestSize binds no shortcut (it would keep its 5 MB default): the size must be named.
        assertThat(problems("RequestSize=100B")).singleElement().asString().contains("name them (maxSize");
        assertThat(problems("RequestSize")).singleElement().asString().contains("needs the argument maxSize");
        assertThat(catalogue.problems("filters", List.of(new RouteFilter("RequestSize", Map.of("maxSize", "5MB")))))
                .isEmpty();
        assertThat(catalogue.problems("filters", List.of(new RouteFilter("RequestSize", Map.of("maxSize", "lots")))))
                .singleElement().asString().contains("not a size");
        assertThat(problems("RedirectTo=302, javascript:alert(1)")).singleElement().asString()
                .contains("http(s) URL");
        assertThat(problems("RedirectTo=302, //evil.example")).hasSize(1);
        assertThat(problems("AddResponseHeader=X A, b")).singleElement().asString().contains("not a header name");
        assertThat(problems("RequestRateLimiter=5")).singleElement().asString().contains("name them");
        assertThat(problems("BasicAuth=alice, secret")).singleElement().asString().contains("SHA-256");
    }

    @Test
    void hostileInputIsRefused() {
        assertThat(problems("AddResponseHeader=X-A, #{T(java.lang.Runtime).getRuntime().exec('id')}"))
                .singleElement().asString().contains("expression");
        assertThat(problems("AddResponseHeader=X-A, a\r\nSet-Cookie: x")).singleElement().asString()
                .contains("control characters");
        assertThat(problems("=x")).singleElement().asString().contains("not a filter name");
        assertThat(problems("Add\u0000Header=x")).singleElement().asString().contains("'Add?Header'");
        assertThat(problems("AddResponseHeader=X-A, " + "b".repeat(3000))).singleElement().asString()
                .contains("longer than");
        assertThat(catalogue.problems("filters", java.util.Collections.nCopies(17,
                RouteFilter.parse("PreserveHostHeader")))).singleElement().asString().contains("at most 16");
        assertThat(catalogue.problems("filters", List.of(new RouteFilter("RewritePath",
                Map.of("regexp", "/a", "evil", "/b"))))).singleElement().asString().contains("unknown argument evil");
    }

    @Test
    void scgFiltersThatBypassTheBalancerAreRefusedEvenWhenAnOperatorListsThem() {
        assertThat(problems("SetRequestUri=http://169.254.169.254")).singleElement().asString()
                .contains("unknown filter");
        for (String name : List.of("SetRequestUri", "RequestHeaderToRequestUri", "ModifyRequestBody")) {
            assertThatThrownBy(() -> catalogue.withExtra(List.of("Tenant", name)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
        }
        // FilteredRoutesTest checks the list against the gateway's SCG factories.
        assertThat(RouteFilterCatalogue.WITHHELD_SCG_FILTERS).doesNotContainAnyElementsOf(catalogue.names());
    }

    @Test
    void anOperatorsFilterIsKnownOnlyOnceConfigured() {
        assertThat(problems("Tenant=acme")).hasSize(1);
        assertThat(catalogue.withExtra(List.of("Tenant")).problems("filters",
                List.of(RouteFilter.parse("Tenant=acme, x, y")))).isEmpty();
        assertThat(catalogue.withExtra(List.of("Tenant")).problems("filters",
                List.of(RouteFilter.parse("Tenant=#{1}")))).hasSize(1);
    }
}
