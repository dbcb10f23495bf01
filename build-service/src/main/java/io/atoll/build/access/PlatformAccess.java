package io.atoll.build.access;

import io.atoll.build.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.http.HttpClient;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;

/**
 * Asks platform-api who a caller is and what they may do (see {@link PlatformProperties}). A
 * refusal there is the same refusal here (401, 403, 404); platform-api out of reach is a 503, and
 * nothing is done on the caller's behalf meanwhile.
 */
@Component
@EnableConfigurationProperties(PlatformProperties.class)
public class PlatformAccess {

    /** Who called, as recorded on what they triggered. */
    public record Caller(String name, boolean admin) {
    }

    private static final Logger log = LoggerFactory.getLogger(PlatformAccess.class);
    private static final Caller ANONYMOUS = new Caller("anonymous", true);

    private final PlatformProperties properties;
    private final RestClient platform;

    PlatformAccess(PlatformProperties properties) {
        this.properties = properties;
        this.platform = client(properties);
        if (properties.anonymous()) {
            log.warn("atoll.build.platform.anonymous is on: anyone who reaches build-service's API is an admin");
        }
    }

    /** An HTTP client of platform-api: its URL, its timeouts, no redirects followed (a token never goes elsewhere). */
    public static RestClient client(PlatformProperties properties) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .connectTimeout(properties.timeout()).followRedirects(HttpClient.Redirect.NEVER).build());
        requests.setReadTimeout(properties.timeout());
        return RestClient.builder().baseUrl(properties.url().toString()).requestFactory(requests).build();
    }

    /** The caller, who may manage {@code app}. */
    public Caller requireApp(HttpServletRequest request, String app) {
        if (properties.anonymous()) {
            return ANONYMOUS;
        }
        String authorization = bearer(request);
        Caller caller = me(authorization);
        ask(authorization, "/api/v1/apps/{app}", app);
        return caller;
    }

    /** The apps the caller may manage; every app for an admin (null). */
    public Set<String> manageable(HttpServletRequest request) {
        if (properties.anonymous()) {
            return null;
        }
        String authorization = bearer(request);
        if (me(authorization).admin()) {
            return null;
        }
        JsonNode apps = ask(authorization, "/api/v1/apps");
        return apps.valueStream().map(app -> app.path("name").asString()).collect(Collectors.toSet());
    }

    private Caller me(String authorization) {
        JsonNode me = ask(authorization, "/api/v1/me");
        return new Caller(me.path("name").asString("unknown"), me.path("admin").asBoolean());
    }

    private static String bearer(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 4096) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "Unauthorized",
                    "this call needs 'Authorization: Bearer <token>' with a platform-api token (POST /api/v1/tokens there)");
        }
        return header;
    }

    private JsonNode ask(String authorization, String path, Object... variables) {
        try {
            return platform.get().uri(path, variables).header(HttpHeaders.AUTHORIZATION, authorization)
                    .retrieve().body(JsonNode.class);
        } catch (RestClientResponseException e) {
            HttpStatus status = HttpStatus.resolve(e.getStatusCode().value());
            if (status == HttpStatus.UNAUTHORIZED) {
                throw new ApiException(status, "Unauthorized", "platform-api does not accept this token");
            }
            if (status == HttpStatus.FORBIDDEN) {
                throw new ApiException(status, "Forbidden", "only members of the app's team, and admins, may use its builds");
            }
            if (status == HttpStatus.NOT_FOUND) {
                throw ApiException.notFound("platform-api knows no such app");
            }
            log.warn("platform-api answered {} to {}", e.getStatusCode(), path);
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Service Unavailable",
                    "platform-api could not say who may do this (" + e.getStatusCode().value() + ")");
        } catch (ResourceAccessException e) {
            log.warn("platform-api cannot be reached at {}: {}", properties.url(), e.getMessage());
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Service Unavailable",
                    "platform-api cannot be reached to say who may do this");
        }
    }
}
