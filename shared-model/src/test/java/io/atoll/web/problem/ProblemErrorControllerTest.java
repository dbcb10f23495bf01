package io.atoll.web.problem;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The one controller serves every service: a 5xx sends the operator to that service's log. */
class ProblemErrorControllerTest {

    private final JsonMapper json = JsonMapper.builder().build();

    private JsonNode error(String service, Integer status) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
        if (status != null) {
            request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, status);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        new ProblemErrorController(json, service).error(request, response);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        JsonNode problem = json.readTree(response.getContentAsString());
        assertThat(problem.get("status").asInt()).isEqualTo(response.getStatus());
        return problem;
    }

    @Test
    void aServerErrorNamesTheServiceItHappenedIn() throws Exception {
        assertThat(error("build-service", 500).get("detail").asString())
                .isEqualTo("internal error; see the build-service log");
        assertThat(error("platform-api", 503).get("detail").asString())
                .isEqualTo("internal error; see the platform-api log");
    }

    @Test
    void aRefusalIsItsOwn4xxAndErrorRequestedDirectlyIsA404() throws Exception {
        assertThat(error("build-service", 405).get("detail").asString()).isEqualTo("the request was refused: method not allowed");
        assertThat(error("build-service", null).get("status").asInt()).isEqualTo(404);
        assertThat(error("build-service", 302).get("status").asInt()).as("not an error: a bug").isEqualTo(500);
    }
}
