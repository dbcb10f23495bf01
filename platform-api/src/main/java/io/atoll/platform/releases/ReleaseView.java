package io.atoll.platform.releases;

import java.time.Instant;
import java.util.Map;

/** A release as the API shows it: secret config values masked. */
public record ReleaseView(String version, int number, String id, String image, String pinnedImage,
        Map<String, Object> config, long memoryMb, long cpuShares, int containerPort, String healthPath, String cause,
        String causeDetail, String author, Instant createdAt, boolean serving) {

    static ReleaseView of(Release release, boolean serving) {
        return new ReleaseView(release.label(), release.number(), release.id(), release.image(),
                release.pinnedImage(), release.configVars().masked(), release.memoryMb(), release.cpuShares(),
                release.containerPort(), release.healthPath(), release.cause(), release.causeDetail(),
                release.author(), release.createdAt(), serving);
    }
}
