package io.atoll.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.platform.ApiTestSupport;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * Issue 12 item 4 (a first part): the OpenAPI document covers every endpoint the API maps, and
 * says of each that its errors are problem+json.
 */
class OpenApiTest extends ApiTestSupport {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void theDocumentCoversEveryEndpointWithItsProblems() throws Exception {
        HttpResponse<String> response = send("GET", "/v3/api-docs", null);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode document = json.readTree(response.body());
        assertThat(document.path("openapi").asString()).startsWith("3.");
        JsonNode paths = document.path("paths");

        List<String> endpoints = new ArrayList<>();
        mappings.getHandlerMethods().forEach((info, handler) -> {
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api/v1/")) {
                    continue;
                }
                for (RequestMethod method : info.getMethodsCondition().getMethods()) {
                    endpoints.add(method + " " + pattern);
                }
            }
        });
        assertThat(endpoints).hasSizeGreaterThan(25);
        for (String endpoint : endpoints) {
            String[] parts = endpoint.split(" ", 2);
            JsonNode operation = paths.path(parts[1]).path(parts[0].toLowerCase(Locale.ROOT));
            assertThat(operation.isMissingNode()).as("%s in the document", endpoint).isFalse();
            assertThat(operation.path("responses").path("400").path("content").has("application/problem+json"))
                    .as("%s: its 400 is a problem: %s", endpoint, operation.path("responses")).isTrue();
            assertThat(operation.path("responses").has("401") && operation.path("responses").has("403"))
                    .as(endpoint + ": needs credentials and may be forbidden: " + operation.path("responses")).isTrue();
            assertThat(operation.path("security").toString()).as(endpoint)
                    .contains(endpoint.equals("POST /api/v1/tokens") ? "\"password\"" : "\"token\"");
        }
        // the API only: not the dashboard's own endpoints
        paths.propertyNames().forEach(path -> assertThat(path).startsWith("/api/v1/"));
        assertThat(document.path("components").path("schemas").has("Problem")).isTrue();
    }
}
