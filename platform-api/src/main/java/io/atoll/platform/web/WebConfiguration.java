package io.atoll.platform.web;

import java.util.Set;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * How platform-api answers input it will not take: always {@code application/problem+json} with a
 * 4xx, from whichever layer refuses it (Tomcat, Spring Security's firewall, MVC), and JSON read
 * strictly so a value means one thing. Tomcat's own refusals and {@code /error} are shared-model's
 * ({@code io.atoll.web.problem}, turned on by {@code atoll.web.problem-error-pages} in application.yml).
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    /** Methods the API has any use for; anything else is a 405 before it reaches a controller. */
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    @Bean
    ProblemWriter problemWriter(JsonMapper json) {
        return new ProblemWriter(json);
    }

    @Bean
    FilterRegistrationBean<ProblemFallbackFilter> problemFallbackFilter(ProblemWriter problems) {
        FilterRegistrationBean<ProblemFallbackFilter> registration = new FilterRegistrationBean<>(new ProblemFallbackFilter(problems));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    @Bean
    FilterRegistrationBean<BodyLimitFilter> bodyLimitFilter(RequestLimitsProperties limits, ProblemWriter problems) {
        FilterRegistrationBean<BodyLimitFilter> registration =
                new FilterRegistrationBean<>(new BodyLimitFilter(limits.maxBodySize().toBytes(), problems));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }

    @Bean
    FilterRegistrationBean<ContentTypeFilter> contentTypeFilter(ProblemWriter problems) {
        FilterRegistrationBean<ContentTypeFilter> registration = new FilterRegistrationBean<>(new ContentTypeFilter(problems));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
        return registration;
    }

    /**
     * No coercion: {@code "8080"}, {@code 8080.9}, {@code 1e3}, {@code true} or {@code ""} for a
     * number, or a number for a string, is a 400, not a guess; so are unknown fields (a typo is not
     * silently ignored), a repeated field and anything after the document.
     */
    @Bean
    JsonMapperBuilderCustomizer strictJson() {
        return builder -> builder
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .withCoercionConfig(LogicalType.Textual, config -> config
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    /**
     * Spring Security's firewall refusals ({@code ;}, {@code //}, encoded {@code /} or {@code .},
     * non-printable characters, unknown methods) as problems: 405 for a method, else 400.
     */
    @Bean
    RequestRejectedHandler requestRejectedHandler(ProblemWriter problems) {
        return (request, response, e) -> {
            if (response.isCommitted()) {
                return;
            }
            response.reset();
            if (!METHODS.contains(request.getMethod())) {
                response.setHeader("Allow", String.join(", ", METHODS.stream().sorted().toList()));
                problems.write(response, 405, "this method is not supported");
            } else {
                problems.write(response, 400, "the request was refused: its path or headers are not acceptable");
            }
        };
    }
}
