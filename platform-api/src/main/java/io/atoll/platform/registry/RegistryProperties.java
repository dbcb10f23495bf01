package io.atoll.platform.registry;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param url Atoll's registry as platform-api reaches it
 * @param pullHost the registry as Docker engines on the nodes name it in image references
 *     ({@code host:port}); defaults to the host and port of {@code url}
 * @param username user for HTTP Basic when the registry requires it (pull permission suffices)
 * @param password its password (a secret: never logged)
 */
@ConfigurationProperties("atoll.platform.registry")
public record RegistryProperties(URI url, String pullHost, String username, String password) {

    @Override
    public String toString() {
        return "RegistryProperties[url=" + url + ", pullHost=" + pullHost + ", username=" + username
                + ", password=" + (password == null ? "none" : "***") + "]";
    }

    boolean hasCredentials() {
        return username != null && !username.isBlank() && password != null;
    }

    public RegistryProperties {
        url = url == null ? URI.create("http://127.0.0.1:5000") : url;
        if (pullHost == null || pullHost.isBlank()) {
            pullHost = url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + url.getPort();
        }
    }
}
