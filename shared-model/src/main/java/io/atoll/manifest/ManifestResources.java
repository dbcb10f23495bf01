package io.atoll.manifest;

/**
 * What one instance of the app asks for. A {@code null} component was not given in atoll.yml:
 * platform-api's deploy defaults ({@code atoll.deploy.default-memory-mb}, {@code default-cpu-shares}) apply.
 *
 * @param memoryMb memory limit in MiB ({@code memory: 512Mi} or {@code 1Gi})
 * @param cpuShares relative CPU weight, as Docker's {@code --cpu-shares}
 */
public record ManifestResources(Long memoryMb, Long cpuShares) {

    public static final ManifestResources DEFAULTS = new ManifestResources(null, null);
}
