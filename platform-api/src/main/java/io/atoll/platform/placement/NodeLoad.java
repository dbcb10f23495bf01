package io.atoll.platform.placement;

import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import java.util.Comparator;
import java.util.TreeSet;

/**
 * One node while a {@link Placer} plans: its capacity and what the instances it knows of use there.
 * Mutable, owned by one Placer; a live node sits in its zone's index, which must be told before its
 * use changes ({@link ZoneLoad#add}).
 */
final class NodeLoad {

    enum State { LIVE, MAINTENANCE, EXCLUDED }

    /**
     * Inside one capacity class, by load, then id. Lowest first: the order of weights for nodes without
     * the app, since their weight differs from the load by the same amount for a given instance size.
     */
    static final Comparator<NodeLoad> BY_LOAD = Comparator.comparingLong(NodeLoad::loadKey)
            .thenComparing(node -> node.id);

    final String id;
    final int zone;
    final State state;
    final long memoryCapacity;
    final long cpuCapacity;
    final int slotCapacity;
    /** Denominators of the use fractions: the capacity, at least 1 (a capacity of 0 fits nothing anyway). */
    final long memoryScale;
    final long cpuScale;

    long memory;
    long cpu;
    int slots;
    /** The set of its zone's index this live node is in (null for a skipped node). */
    TreeSet<NodeLoad> index;

    NodeLoad(NodeInfo info, int zone, State state) {
        Resources capacity = info.capacity() == null ? Resources.NONE : info.capacity();
        this.id = info.nodeId();
        this.zone = zone;
        this.state = state;
        this.memoryCapacity = capacity.memoryMb();
        this.cpuCapacity = capacity.cpuShares();
        this.slotCapacity = capacity.containers();
        this.memoryScale = Math.max(1, memoryCapacity);
        this.cpuScale = Math.max(1, cpuCapacity);
    }

    boolean fits(Resources each) {
        return memory + each.memoryMb() <= memoryCapacity
                && cpu + each.cpuShares() <= cpuCapacity
                && slots + each.containers() <= slotCapacity;
    }

    /**
     * Memory and CPU use as fractions of capacity, summed and scaled by both capacities: an exact
     * integer, comparable between nodes of the same capacity class.
     */
    long loadKey() {
        return memory * cpuScale + cpu * memoryScale;
    }

    /**
     * DESIGN §5's weight of placing {@code each} here: 2 per instance of the same app already here,
     * plus the fractions of memory and of CPU in use after the placement. Computed from one exact
     * integer so that, within a capacity class, it orders nodes exactly as {@link #loadKey()} does.
     */
    double weight(int sameApp, Resources each) {
        long numerator = (memory + each.memoryMb()) * cpuScale + (cpu + each.cpuShares()) * memoryScale;
        return 2.0 * sameApp + (double) numerator / ((double) memoryScale * cpuScale);
    }

    /** How many more instances of {@code each} fit here, at most {@link Long#MAX_VALUE}. */
    long room(Resources each) {
        long room = Long.MAX_VALUE;
        for (Shortage.Dimension dimension : Shortage.Dimension.values()) {
            room = Math.min(room, room(dimension, each));
        }
        return room;
    }

    long room(Shortage.Dimension dimension, Resources each) {
        return switch (dimension) {
            case MEMORY -> room(memoryCapacity - memory, each.memoryMb());
            case CPU -> room(cpuCapacity - cpu, each.cpuShares());
            case CONTAINERS -> room((long) slotCapacity - slots, each.containers());
        };
    }

    /** As {@link #fits}: a node already over its capacity (it shrank) takes nothing, not even a 0. */
    private static long room(long free, long need) {
        return free < 0 ? 0 : need <= 0 ? Long.MAX_VALUE : free / need;
    }

    /** Adds ({@code sign} 1) or takes away ({@code sign} -1) one instance's use. */
    void change(Resources resources, int sign) {
        memory += sign * resources.memoryMb();
        cpu += sign * resources.cpuShares();
        slots += sign * resources.containers();
    }

    /** Capacity class: nodes with the same memory and CPU capacity share one index in their zone. */
    long capacityClassMemory() {
        return memoryScale;
    }

    long capacityClassCpu() {
        return cpuScale;
    }
}
