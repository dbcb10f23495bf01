package io.atoll.build;

import java.time.Duration;
import java.util.Map;
import org.springframework.util.unit.DataSize;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code atoll.build.*}; docs/build-service.md has the table.
 *
 * @param maxConcurrent builds running at once over all apps (one at a time per app)
 * @param dataDir where the embedded H2 database lives
 * @param hooks webhook verification
 * @param apps the apps that may be built by webhook, by name
 * @param log build logs
 */
@ConfigurationProperties("atoll.build")
public record BuildProperties(@DefaultValue("2") int maxConcurrent, @DefaultValue("./data/build") String dataDir,
        @DefaultValue Hooks hooks, Map<String, App> apps, @DefaultValue Log log) {

    public BuildProperties {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("atoll.build.max-concurrent must be at least 1");
        }
        apps = apps == null ? Map.of() : Map.copyOf(apps);
    }

    /**
     * @param secret used for every app without its own: GitHub's and the generic hook's HMAC key,
     *     GitLab's token; empty means only apps with their own secret accept webhooks
     * @param timestampSkew how far the generic hook's {@code X-Atoll-Timestamp} may be from now
     * @param deliveryRetention how long delivery ids are kept to refuse replays
     * @param maxBodySize the largest webhook body read
     */
    public record Hooks(@DefaultValue("") String secret, @DefaultValue("5m") Duration timestampSkew,
            @DefaultValue("7d") Duration deliveryRetention, @DefaultValue("5242880") int maxBodySize) {

        @Override
        public String toString() {
            return "Hooks[timestampSkew=" + timestampSkew + ", deliveryRetention=" + deliveryRetention + "]";
        }
    }

    /**
     * @param maxBytes how long one build's log may grow; past it, one line says it was truncated
     * @param heartbeat how often a follower of a quiet log gets a comment line, so that proxies keep it open
     */
    public record Log(@DefaultValue("20MB") DataSize maxBytes, @DefaultValue("15s") Duration heartbeat) {
    }

    /**
     * @param repository the app's git repository; when empty, the one the webhook names
     * @param branch the branch whose pushes are built; others are ignored
     * @param secret this app's webhook secret, in place of {@code atoll.build.hooks.secret}
     * @param deploy whether each image built for this branch is deployed through platform-api
     *     (with {@code atoll.build.platform.token})
     */
    public record App(String repository, @DefaultValue("main") String branch, @DefaultValue("") String secret,
            @DefaultValue("false") boolean deploy) {

        @Override
        public String toString() {
            return "App[repository=" + repository + ", branch=" + branch + ", deploy=" + deploy + "]";
        }
    }
}
