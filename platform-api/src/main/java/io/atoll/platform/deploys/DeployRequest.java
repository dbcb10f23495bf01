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
 * @param instances how many instances of the new release to run; default: as many as now, or 1
 * @param maxSurge instances above {@code instances} while rolling (default 1)
 * @param maxUnavailable instances below {@code instances} while rolling (default 0: serving
 *     capacity never drops)
 * @param minReadySeconds how long a new instance must stay HEALTHY before it counts (default 0)
 * @param progressDeadlineSeconds how long the deploy may take before it rolls back (default from
 *     {@code atoll.platform.deploy.progress-deadline})
 */
public record DeployRequest(
        @NotBlank @Size(max = 400) String image,
        @Min(1) @Max(100) Integer instances,
        @Min(16) @Max(262144) Long memoryMb,
        @Min(0) @Max(100) Integer maxSurge,
        @Min(0) @Max(100) Integer maxUnavailable,
        @Min(0) @Max(3600) Integer minReadySeconds,
        @Min(1) @Max(86400) Integer progressDeadlineSeconds) {
}
