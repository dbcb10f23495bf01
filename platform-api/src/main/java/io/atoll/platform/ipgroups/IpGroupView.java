package io.atoll.platform.ipgroups;

import java.time.Instant;
import java.util.List;

/** An IP group as the API shows it, with the apps that declare it. */
public record IpGroupView(String name, List<String> cidrs, List<Integer> ports, List<String> usedBy,
        Instant createdAt, Instant updatedAt) {
}
