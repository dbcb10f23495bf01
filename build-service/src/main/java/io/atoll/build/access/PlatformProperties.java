package io.atoll.build.access;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may use build-service's API: platform-api decides. A caller sends the bearer token
 * platform-api gave them; build-service asks platform-api who that is ({@code GET /api/v1/me})
 * and whether they may manage the app ({@code GET /api/v1/apps/{app}}): the same users, teams
 * and tokens everywhere, and no second list of them. Webhooks are not concerned: their signature
 * is their credential.
 *
 * @param url platform-api
 * @param timeout how long platform-api may take to answer
 * @param anonymous let callers without a token in, as an admin; the {@code dev} profile alone sets it
 * @param token build-service's own token for platform-api, with which it deploys the images of
 *     apps set to {@code atoll.build.apps.<app>.deploy}; never logged
 */
@ConfigurationProperties("atoll.build.platform")
public record PlatformProperties(@DefaultValue("http://127.0.0.1:8080") URI url, @DefaultValue("5s") Duration timeout,
        @DefaultValue("false") boolean anonymous, @DefaultValue("") String token) {

    @Override
    public String toString() {
        return "PlatformProperties[url=" + url + ", timeout=" + timeout + ", anonymous=" + anonymous + "]";
    }
}
