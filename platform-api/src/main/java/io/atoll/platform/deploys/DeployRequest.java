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
 * @param strategy {@code rolling} (default) or {@code canary}: the new release gets {@code weight}
 *     percent of the traffic, from as few instances as that takes, until promoted or aborted
 * @param weight the canary's share of the traffic, 1 to 99
 */
public record DeployRequest(
        @NotBlank @Size(max = 400) String image,
        @Min(1) @Max(100) Integer instances,
        @Min(16) @Max(262144) Long memoryMb,
        @Min(0) @Max(100) Integer maxSurge,
        @Min(0) @Max(100) Integer maxUnavailable,
        @Min(0) @Max(3600) Integer minReadySeconds,
        @Min(1) @Max(86400) Integer progressDeadlineSeconds,
        @jakarta.validation.constraints.Pattern(regexp = "rolling|canary") String strategy,
        @Min(1) @Max(99) Integer weight) {

    /** A deploy of an existing release: every choice left to the defaults. */
    public static DeployRequest of(String image, Integer instances) {
        return new DeployRequest(image, instances, null, null, null, null, null, null, null);
    }
}
