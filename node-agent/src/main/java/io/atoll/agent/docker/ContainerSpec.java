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

    /** Env values are config vars, some of them secret: only their names are ever printed. */
    @Override
    public String toString() {
        return "ContainerSpec[name=" + name + ", image=" + image + ", labels=" + labels + ", env=" + env.keySet()
                + ", containerPort=" + containerPort + ", memoryMb=" + memoryMb + ", cpuShares=" + cpuShares + "]";
    }
}
