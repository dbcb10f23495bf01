package io.atoll.platform.apps;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Body of {@code POST /api/v1/apps}. The name becomes a DNS label ({@code name.localhost}), a
 * ZooKeeper path segment and part of container names, hence the strict grammar. Hosts are
 * checked by {@link io.atoll.platform.hosts.HostPolicy}: whether one may be claimed depends on
 * configuration and on who owns what. The team is the LDAP group whose members will manage the
 * app; left out, the caller's only team.
 */
public record CreateAppRequest(
        @NotNull @Pattern(regexp = AppNames.PATTERN, message = AppNames.RULE) String name,
        @Size(max = 32) List<@NotNull String> hosts,
        @Min(1) @Max(65535) Integer containerPort,
        @HealthPath String healthPath,
        @Min(0) @Max(300) Integer stopGraceSeconds,
        @Team String team) {
}
