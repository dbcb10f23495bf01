package io.atoll.web.problem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration;
import org.springframework.boot.webmvc.error.ErrorController;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who gets problem+json error pages: only a servlet service that asks. The registry (OCI error
 * bodies) and the node agent do not set the property and keep their own; the real pages are
 * tested in platform-api's and build-service's HostileInputTest.
 */
class ProblemErrorPagesAutoConfigurationTest {

    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ProblemErrorPagesAutoConfiguration.class,
                    DispatcherServletAutoConfiguration.class, ErrorMvcAutoConfiguration.class))
            .withBean(JsonMapper.class, JsonMapper::new);

    @Test
    void aServiceThatAsksGetsTheValveAndTheErrorControllerInPlaceOfBoots() {
        web.withPropertyValues("atoll.web.problem-error-pages=true").run(context -> {
            assertThat(context).hasSingleBean(TomcatContextCustomizer.class);
            assertThat(context).getBean(ErrorController.class).isInstanceOf(ProblemErrorController.class);
        });
    }

    @Test
    void aServiceThatDoesNotAskKeepsItsOwn() {
        for (String[] properties : new String[][] {{}, {"atoll.web.problem-error-pages=false"}}) {
            web.withPropertyValues(properties).run(context -> {
                assertThat(context).doesNotHaveBean(ProblemErrorController.class);
                assertThat(context).doesNotHaveBean(TomcatContextCustomizer.class);
                assertThat(context).getBean(ErrorController.class).isNotInstanceOf(ProblemErrorController.class);
            });
        }
    }

    @Test
    void notAServletApplicationGetsNothing() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ProblemErrorPagesAutoConfiguration.class))
                .withBean(JsonMapper.class, JsonMapper::new)
                .withPropertyValues("atoll.web.problem-error-pages=true")
                .run(context -> assertThat(context).doesNotHaveBean(ProblemErrorController.class));
    }
}
