package io.atoll.registry.web;

import io.atoll.registry.RegistryProperties;
import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
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
     * Replaces Tomcat's HTML error report on the host with {@link OciErrorReportValve}. Done as
     * the context starts, after every customizer (Spring Boot adds an {@code ErrorReportValve} of
     * its own from one) and after the host has put its default in place.
     */
    @Bean
    TomcatContextCustomizer ociErrorReports() {
        return context -> context.addLifecycleListener(event -> {
            if (!Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                return;
            }
            Container host = context.getParent();
            for (Valve valve : host.getPipeline().getValves()) {
                if (valve instanceof ErrorReportValve && !(valve instanceof OciErrorReportValve)) {
                    host.getPipeline().removeValve(valve);
                }
            }
            if (host instanceof StandardHost standard) {
                standard.setErrorReportValveClass(OciErrorReportValve.class.getName());
            }
            boolean present = java.util.Arrays.stream(host.getPipeline().getValves()).anyMatch(OciErrorReportValve.class::isInstance);
            if (!present) {
                host.getPipeline().addValve(new OciErrorReportValve());
            }
        });
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
