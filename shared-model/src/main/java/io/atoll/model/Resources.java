package io.atoll.model;

/**
 * An amount of a Docker host's resources: used both for a node's capacity and usage and for
 * what one instance asks for.
 */
public record Resources(long memoryMb, long cpuShares, int containers) {

    public static final Resources NONE = new Resources(0, 0, 0);

    public Resources plus(Resources other) {
        return new Resources(memoryMb + other.memoryMb, cpuShares + other.cpuShares, containers + other.containers);
    }

    public boolean fitsWithin(Resources capacity) {
        return memoryMb <= capacity.memoryMb && cpuShares <= capacity.cpuShares && containers <= capacity.containers;
    }
}
