package io.atoll.platform.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.List;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The API's OpenAPI document at {@code /v3/api-docs} (springdoc, from the controllers), with what
 * the controllers cannot say for themselves: every operation's errors are RFC 9457 problems
 * ({@code application/problem+json}); every call needs a bearer token outside {@code dev}, and
 * {@code POST /api/v1/tokens} takes a directory username and password instead.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String PROBLEM = "application/problem+json";

    @Bean
    OpenAPI atollOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Atoll platform API").version("v1")
                        .description("Apps, deploys, releases, config, scale, nodes, IP groups, logs, tokens "
                                + "and the audit log. docs/platform-api.md has the whole story."))
                .components(new Components()
                        .addSecuritySchemes("token", new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                .scheme("bearer").description("a personal token from POST /api/v1/tokens, or a "
                                        + "bootstrap token (atoll.platform.security.api-tokens)"))
                        .addSecuritySchemes("password", new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                .scheme("basic").description("a directory (LDAP) username and password: only to "
                                        + "get a token")));
    }

    private static Schema<?> problemSchema() {
        return new ObjectSchema()
                .description("An error (RFC 9457): never a stack trace, secrets never echoed")
                .addProperty("type", new StringSchema().example("about:blank"))
                .addProperty("title", new StringSchema().example("Bad Request"))
                .addProperty("status", new IntegerSchema().example(400))
                .addProperty("detail", new StringSchema().example("containerPort: must be between 1 and 65535"))
                .addProperty("instance", new StringSchema().example("/api/v1/apps"))
                .addProperty("errors", new io.swagger.v3.oas.models.media.ArraySchema().items(new StringSchema()));
    }

    /** Every operation: its problems and the credentials it needs. */
    @Bean
    OpenApiCustomizer problemResponses() {
        return openApi -> {
            // Here rather than in the base document: springdoc writes the schemas it generates over it.
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents().addSchemas("Problem", problemSchema());
            if (openApi.getPaths() == null) {
                return;
            }
            openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) ->
                    describe(path, method, operation)));
        };
    }

    private static void describe(String path, PathItem.HttpMethod method, Operation operation) {
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        boolean write = method != PathItem.HttpMethod.GET && method != PathItem.HttpMethod.HEAD;
        Map<String, String> errors = new java.util.LinkedHashMap<>();
        errors.put("400", "malformed or invalid input; the problem names each field");
        if (path.contains("{")) {
            errors.put("404", "no such resource");
        }
        errors.put("401", "no valid bearer token (outside dev): missing, unknown, revoked or expired");
        errors.put("403", "the caller may not do this: not in the app's team, or not an admin");
        if (write) {
            errors.put("409", "the request conflicts with the current state; the problem says with what");
            errors.put("413", "the body is larger than atoll.platform.web.max-body-size");
            errors.put("415", "the body is not application/json");
        }
        errors.forEach((status, description) -> {
            ApiResponse existing = responses.get(status);
            if (existing == null || existing.getContent() == null || !existing.getContent().containsKey(PROBLEM)) {
                responses.addApiResponse(status, new ApiResponse().description(description).content(new Content()
                        .addMediaType(PROBLEM, new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem")))));
            }
        });
        operation.setResponses(responses);
        boolean issuesTokens = path.equals("/api/v1/tokens") && method == PathItem.HttpMethod.POST;
        operation.setSecurity(List.of(new SecurityRequirement().addList(issuesTokens ? "password" : "token")));
    }
}
