package io.atoll.agent.docker;

import java.util.Map;

/** Everything needed to create one instance's container. */
public record ContainerSpec(
        String name,
        String image,
        Map<String, String> labels,
        Map<String, String> env,
        int containerPort,
        long memoryMb,
        long cpuShares) {

    public ContainerSpec {
        labels = Map.copyOf(labels);
        env = Map.copyOf(env);
    }
}
