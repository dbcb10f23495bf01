package io.atoll.build.image;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code atoll.build.registry.*}: Atoll's registry, where base images are read and built images
 * pushed; docs/build-service.md ("Images") has the table.
 *
 * @param host the registry's {@code host:port}, e.g. {@code 127.0.0.1:5000}
 * @param username a user allowed to push the apps (and pull the base images); empty: anonymous
 * @param password that user's password
 * @param allowInsecure plain HTTP (and credentials over it): only for a registry on this machine
 * @param cacheDir where jib keeps base image layers and application layers between builds, and the
 *     exploded layers of Spring Boot jars ({@link ExplodedLayers})
 * @param cacheRetention how long an exploded layer, and jib's cached layer of it, is kept unused
 */
@ConfigurationProperties("atoll.build.registry")
public record RegistryProperties(@DefaultValue("127.0.0.1:5000") String host, @DefaultValue("") String username,
        @DefaultValue("") String password, @DefaultValue("false") boolean allowInsecure,
        @DefaultValue("./data/build/jib-cache") String cacheDir, @DefaultValue("7d") Duration cacheRetention) {

    public RegistryProperties {
        if (cacheRetention == null || cacheRetention.isNegative() || cacheRetention.isZero()) {
            throw new IllegalArgumentException("atoll.build.registry.cache-retention must be positive, was "
                    + cacheRetention);
        }
    }

    public boolean hasCredentials() {
        return !username.isEmpty();
    }

    @Override
    public String toString() {
        return "RegistryProperties[host=" + host + ", username=" + username + ", allowInsecure=" + allowInsecure
                + ", cacheDir=" + cacheDir + ", cacheRetention=" + cacheRetention + "]";
    }
}
