package io.atoll.platform.deploys;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /api/v1/apps/{app}/deploys}.
 *
 * @param image {@code repo:tag}, {@code repo@sha256:...} or either prefixed by a registry host;
 *     a bare name is looked up in Atoll's registry
 * @param instances how many instances of the new release to run
 */
public record DeployRequest(
        @NotBlank @Size(max = 400) String image,
        @Min(1) @Max(100) Integer instances,
        @Min(16) @Max(262144) Long memoryMb) {
}
