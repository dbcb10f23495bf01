package io.atoll.platform.apps;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Body of {@code POST /api/v1/apps}. The name becomes a DNS label ({@code name.localhost}), a
 * ZooKeeper path segment and part of container names, hence the strict grammar.
 */
public record CreateAppRequest(
        @NotNull @Pattern(regexp = AppNames.PATTERN, message = AppNames.RULE) String name,
        @Size(max = 32) List<@NotNull @Pattern(regexp = AppNames.HOST_PATTERN,
                message = "must be a host name such as shop.example.com or *.example.com") String> hosts,
        @Min(1) @Max(65535) Integer containerPort,
        @Pattern(regexp = "/[A-Za-z0-9._~/-]*", message = "must be an absolute path such as /healthz") String healthPath) {
}
