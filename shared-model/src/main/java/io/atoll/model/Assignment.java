package io.atoll.model;

import java.util.List;
import java.util.Map;

/**
 * A desired instance, written by the scheduler at {@code /atoll/assignments/{nodeId}/{instanceId}}.
 *
 * @param image an image reference pinned by digest ({@code host:port/repo@sha256:...})
 * @param draining true once the scheduler wants the instance gone: the agent stops routing to
 *     it, lets in-flight requests finish and then stops it
 * @param stopGraceSeconds the app's time between SIGTERM and SIGKILL when its instance stops
 *     (0: the agent's default)
 */
public record Assignment(
        String instanceId,
        String app,
        String releaseId,
        String image,
        Map<String, String> env,
        int containerPort,
        Resources resources,
        HealthCheck healthCheck,
        List<String> dependencies,
        boolean draining,
        int stopGraceSeconds) {

    public Assignment(String instanceId, String app, String releaseId, String image, Map<String, String> env,
            int containerPort, Resources resources, HealthCheck healthCheck, List<String> dependencies,
            boolean draining) {
        this(instanceId, app, releaseId, image, env, containerPort, resources, healthCheck, dependencies, draining, 0);
    }

    public Assignment {
        env = env == null ? Map.of() : Map.copyOf(env);
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        healthCheck = healthCheck == null ? HealthCheck.ofPath(null) : healthCheck;
        resources = resources == null ? Resources.NONE : resources;
    }

    public Assignment withDraining(boolean value) {
        return new Assignment(instanceId, app, releaseId, image, env, containerPort, resources, healthCheck,
                dependencies, value, stopGraceSeconds);
    }
}
