package io.atoll.agent.logs;

import io.atoll.agent.config.AgentProperties;
import io.atoll.agent.docker.ContainerEvents;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class LogsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LogsConfiguration.class);

    @Bean(destroyMethod = "close")
    ContainerLogs containerLogs(AgentProperties agent, LogProperties properties) {
        return new ContainerLogs(agent, properties);
    }

    @Bean(destroyMethod = "close")
    KeptLogs keptLogs(ContainerLogs containers, LogProperties properties, AgentProperties agent) {
        return new KeptLogs(containers, properties, agent);
    }

    @Bean
    LogStreams logStreams(LogProperties properties, ContainerLogs containers, KeptLogs kept, ContainerEvents events,
            MeterRegistry meters) {
        return new LogStreams(properties, containers, kept, events, meters);
    }

    @Bean
    FilterRegistrationBean<LogTokenFilter> logTokenFilter(LogProperties properties, Environment environment) {
        boolean dev = Arrays.asList(environment.getActiveProfiles()).contains("dev");
        if (properties.token() == null) {
            if (dev) {
                log.info("Log endpoint open without a token (dev profile)");
            } else {
                log.warn("No atoll.agent.logs.token configured: the log endpoint refuses every request");
            }
        }
        FilterRegistrationBean<LogTokenFilter> registration =
                new FilterRegistrationBean<>(new LogTokenFilter(properties.token(), dev));
        registration.addUrlPatterns("/api/v1/logs", "/api/v1/logs/*");
        return registration;
    }
}
