package io.atoll.platform.hosts;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param defaultDomain every app answers at {@code {app}.{defaultDomain}} on the gateway, so that
 *     host belongs to the app of that name; must equal the gateway's
 *     {@code atoll.gateway.default-domain}
 */
@ConfigurationProperties("atoll.platform")
public record HostProperties(String defaultDomain) {

    public HostProperties {
        defaultDomain = defaultDomain == null || defaultDomain.isBlank() ? "localhost" : defaultDomain.strip();
    }
}
