package io.atoll.platform.registry;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param url Atoll's registry as platform-api reaches it
 * @param pullHost the registry as Docker engines on the nodes name it in image references
 *     ({@code host:port}); defaults to the host and port of {@code url}
 */
@ConfigurationProperties("atoll.platform.registry")
public record RegistryProperties(URI url, String pullHost) {

    public RegistryProperties {
        url = url == null ? URI.create("http://127.0.0.1:5000") : url;
        if (pullHost == null || pullHost.isBlank()) {
            pullHost = url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + url.getPort();
        }
    }
}
