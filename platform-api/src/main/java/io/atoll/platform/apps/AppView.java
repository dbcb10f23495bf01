package io.atoll.platform.apps;

import java.time.Instant;
import java.util.List;

/** An app as the API shows it. */
public record AppView(String name, List<String> hosts, int containerPort, String healthPath, Instant createdAt,
        CurrentRelease release) {

    public record CurrentRelease(String id, int number, String image, String pinnedImage) {
    }
}
