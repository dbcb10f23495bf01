package io.atoll.manifest;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An app's atoll.yml, as {@link AtollManifests#parse} checked it and filled in its defaults
 * (docs/atoll-yml.md). A {@code null} {@code build}, {@code artifact} or {@code run} means the
 * type's default, which the build service applies: it depends on the repository's files.
 *
 * @param name the app, {@code [a-z][a-z0-9-]{0,38}[a-z0-9]} as platform-api names apps
 * @param type how it is built
 * @param build shell command run in the builder; required for {@code command}, optional for
 *     {@code java} and {@code static}, {@code null} for {@code dockerfile}
 * @param artifact path in the repository the build leaves; required for {@code command},
 *     optional for {@code java}, {@code null} otherwise
 * @param run the command an instance starts; required for {@code command}, optional for
 *     {@code java} and {@code dockerfile}, {@code null} for {@code static}
 * @param port the port the app listens on (also given to it as {@code PORT}); 8080 by default
 * @param health path answering 2xx when an instance is ready; {@code /healthz} by default
 * @param resources what one instance asks for
 * @param dependencies IP groups the app reaches
 * @param env environment variables baked into the release, sorted by name
 * @param root the directory served, for {@code static} ({@code .} by default); {@code null} otherwise
 */
public record AppManifest(String name, AppType type, String build, String artifact, String run, int port,
        String health, ManifestResources resources, List<String> dependencies, Map<String, String> env,
        String root) {

    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_HEALTH = "/healthz";
    public static final String DEFAULT_ROOT = ".";

    public AppManifest {
        resources = resources == null ? ManifestResources.DEFAULTS : resources;
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        // Sorted, so that the same manifest always gives the same image config (reproducible digests).
        env = env == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(env));
    }
}
