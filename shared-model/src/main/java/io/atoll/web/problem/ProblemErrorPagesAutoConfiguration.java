package io.atoll.web.problem;

import org.apache.catalina.Lifecycle;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

/**
 * Error pages as {@code application/problem+json}, for a REST service on Tomcat that asks for them
 * with {@code atoll.web.problem-error-pages=true}: Tomcat's own refusals through
 * {@link ProblemErrorReportValve}, and {@code /error} through {@link ProblemErrorController}
 * instead of Boot's. Opt-in because not every service speaks problem+json: the registry's errors
 * are OCI bodies.
 */
// Before Boot's error handling: its BasicErrorController only stands back for an ErrorController already defined.
@AutoConfiguration(beforeName = "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Tomcat.class, TomcatContextCustomizer.class, ErrorController.class, JsonMapper.class})
@ConditionalOnProperty(prefix = "atoll.web", name = "problem-error-pages", havingValue = "true")
public class ProblemErrorPagesAutoConfiguration {

    @Bean
    TomcatContextCustomizer atollProblemErrorReports(Environment environment) {
        String service = service(environment);
        // Done as the context starts, once Boot has added an ErrorReportValve of its own (an HTML page
        // without the report) and the host its default if it found none: an error valve added after
        // ours would answer first, with HTML. Ours replaces them, so it is the only one.
        return context -> context.addLifecycleListener(event -> {
            if (!Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                return;
            }
            Pipeline pipeline = context.getParent().getPipeline();
            for (Valve valve : pipeline.getValves()) {
                if (valve instanceof ErrorReportValve) {
                    pipeline.removeValve(valve);
                }
            }
            pipeline.addValve(new ProblemErrorReportValve(service));
        });
    }

    @Bean
    ProblemErrorController atollProblemErrorController(JsonMapper json, Environment environment) {
        return new ProblemErrorController(json, service(environment));
    }

    /** The name the service's log goes by, for the detail of a 5xx. */
    private static String service(Environment environment) {
        return environment.getProperty("spring.application.name", "service's");
    }
}
