package io.atoll.registry.web;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tomcat refuses an encoded slash or backslash in a path with an HTML 400 page of its own,
 * before the registry sees the request. Passed through undecoded instead, such a path reaches
 * {@link RegistryPath}, which refuses it with a spec error body; nothing downstream decodes it
 * into a real separator except that parser, which validates every name it extracts.
 */
@Configuration(proxyBeanMethods = false)
class TomcatPathConfiguration {

    @Bean
    TomcatConnectorCustomizer encodedSeparatorsReachTheRegistry() {
        return connector -> {
            connector.setEncodedSolidusHandling("passthrough");
            connector.setEncodedReverseSolidusHandling("passthrough");
        };
    }
}
