package io.atoll.platform.registry;

import java.net.URI;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param url Atoll's registry as platform-api reaches it
 * @param pullHost the registry as Docker engines on the nodes name it in image references
 *     ({@code host:port}); defaults to the host and port of {@code url}
 * @param username user for HTTP Basic when the registry requires it (pull permission suffices)
 * @param password its password (a secret: never logged)
 * @param allowedRegistries other registries ({@code host} or {@code host:port}, as written in image
 *     references) that deploys may name; empty by default, so only Atoll's own registry is used.
 *     platform-api connects to each to pin a tag, so list only registries you trust to be asked.
 */
@ConfigurationProperties("atoll.platform.registry")
public record RegistryProperties(URI url, String pullHost, String username, String password,
        List<String> allowedRegistries) {

    @Override
    public String toString() {
        return "RegistryProperties[url=" + url + ", pullHost=" + pullHost + ", username=" + username
                + ", password=" + (password == null ? "none" : "***") + ", allowedRegistries=" + allowedRegistries + "]";
    }

    boolean hasCredentials() {
        return username != null && !username.isBlank() && password != null;
    }

    /** Atoll's registry as platform-api reaches it: {@code host[:port]} of {@link #url}. */
    String urlAuthority() {
        return url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + url.getPort();
    }

    public RegistryProperties {
        url = url == null ? URI.create("http://127.0.0.1:5000") : url;
        if (url.getHost() == null) {
            throw new IllegalArgumentException("atoll.platform.registry.url needs a host: " + url);
        }
        if (pullHost == null || pullHost.isBlank()) {
            pullHost = url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + url.getPort();
        }
        allowedRegistries = allowedRegistries == null ? List.of()
                : allowedRegistries.stream().filter(r -> r != null && !r.isBlank()).map(String::strip).toList();
    }
}
