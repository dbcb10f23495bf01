package io.atoll.platform.ipgroups;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Body of {@code PUT /api/v1/ipgroups/{name}}: IPv4 addresses or CIDRs, and TCP ports (none:
 * every port). Each CIDR is checked by {@link io.atoll.model.IpGroup#canonicalCidr}, the same
 * code the agents use to write their rules.
 */
public record IpGroupRequest(
        @NotEmpty @Size(max = 256) List<@NotNull String> cidrs,
        @Size(max = 64) List<@NotNull @Min(1) @Max(65535) Integer> ports) {
}
