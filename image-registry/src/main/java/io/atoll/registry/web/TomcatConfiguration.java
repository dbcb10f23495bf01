package io.atoll.registry.web;

import io.atoll.registry.RegistryProperties;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class TomcatConfiguration {

    /**
     * Tomcat refuses an encoded slash or backslash in a path with an HTML 400 page of its own,
     * before the registry sees the request. Passed through undecoded instead, such a path reaches
     * {@link RegistryPath}, which refuses it with a spec error body; nothing downstream decodes it
     * into a real separator except that parser, which validates every name it extracts.
     */
    @Bean
    TomcatConnectorCustomizer encodedSeparatorsReachTheRegistry() {
        return connector -> {
            connector.setEncodedSolidusHandling("passthrough");
            connector.setEncodedReverseSolidusHandling("passthrough");
        };
    }

    /**
     * Tomcat writes a response to the socket at most one write buffer (8 KiB by default) per
     * system call, and from a heap buffer the JDK first copies into a direct one. A blob GET
     * then costs the registry about twice Distribution's CPU per byte (docs/benchmarks.md).
     * A larger, direct buffer makes it one system call per {@code write-buffer}, without the
     * JDK's extra copy.
     * Every connection holds one, so its size is what an open connection costs.
     */
    @Bean
    TomcatConnectorCustomizer blobSizedSocketWrites(RegistryProperties properties) {
        int size = properties.http().writeBufferBytes();
        return connector -> {
            connector.setProperty("socket.appWriteBufSize", Integer.toString(size));
            connector.setProperty("socket.directBuffer", "true");
        };
    }
}
