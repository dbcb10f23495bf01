package io.atoll.build.pipeline;

import io.atoll.build.access.PlatformAccess;
import io.atoll.build.access.PlatformProperties;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;

/**
 * Starts a deploy of a built image through platform-api's API ({@code POST
 * /api/v1/apps/{app}/deploys}), with build-service's own token: platform-api checks it, records
 * the release and runs the rolling deploy as for any user; this side only asks.
 */
@Component
class PlatformDeployer {

    private final PlatformProperties properties;
    private final RestClient platform;

    PlatformDeployer(PlatformProperties properties) {
        this.properties = properties;
        this.platform = PlatformAccess.client(properties);
    }

    /**
     * @param memoryMb the memory atoll.yml asks for, or null for platform-api's default
     * @return the deploy's id, as platform-api gave it
     */
    String deploy(String app, String image, Long memoryMb) throws DeployRefused {
        if (properties.token().isBlank() && !properties.anonymous()) {
            throw new DeployRefused("atoll.build.platform.token is not set: build-service cannot deploy");
        }
        try {
            RestClient.RequestBodySpec request = platform.post().uri("/api/v1/apps/{app}/deploys", app)
                    .contentType(MediaType.APPLICATION_JSON);
            if (!properties.token().isBlank()) {
                request.header(HttpHeaders.AUTHORIZATION, "Bearer " + properties.token());
            }
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("image", image);
            if (memoryMb != null) {
                body.put("memoryMb", memoryMb);
            }
            JsonNode deploy = request.body(body).retrieve().body(JsonNode.class);
            return deploy == null ? "?" : deploy.path("id").asString("?");
        } catch (RestClientResponseException e) {
            // platform-api's problem detail says why (no such app, a deploy under way, the token refused)
            JsonNode problem = e.getResponseBodyAs(JsonNode.class);
            String detail = problem == null ? "" : problem.path("detail").asString("");
            throw new DeployRefused("platform-api refused the deploy (" + e.getStatusCode().value() + ")"
                    + (detail.isBlank() ? "" : ": " + detail));
        } catch (ResourceAccessException e) {
            throw new DeployRefused("platform-api cannot be reached at " + properties.url());
        }
    }

    static final class DeployRefused extends Exception {
        DeployRefused(String message) {
            super(message);
        }
    }
}
