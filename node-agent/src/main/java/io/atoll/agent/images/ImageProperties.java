package io.atoll.agent.images;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Clean-up of the images this agent pulled for its instances (issue 11 item 6).
 *
 * @param cleanUp remove images no assignment uses any more
 * @param grace how long an image stays after its last use
 * @param interval how often images are looked at
 * @param keepPrevious per app still on this node, how many of its images besides the ones in use
 *     are kept whatever their age (the previous release: a rollback starts without a pull)
 * @param dir where the record of which app used which image when is kept, one JSON file per node
 */
@ConfigurationProperties("atoll.agent.images")
public record ImageProperties(Boolean cleanUp, Duration grace, Duration interval, Integer keepPrevious, Path dir) {

    public ImageProperties {
        cleanUp = cleanUp == null || cleanUp;
        grace = grace == null ? Duration.ofHours(1) : grace;
        interval = interval == null ? Duration.ofMinutes(5) : interval;
        keepPrevious = keepPrevious == null ? 1 : keepPrevious;
        dir = dir == null ? Path.of("data", "node-agent", "images") : dir;
        if (grace.isNegative() || interval.isNegative() || interval.isZero() || keepPrevious < 0) {
            throw new IllegalArgumentException("atoll.agent.images: grace and keep-previous must not be negative, "
                    + "interval must be positive");
        }
    }
}
