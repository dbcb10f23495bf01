package io.atoll.platform.placement;

import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which nodes a {@link Placer} must leave alone, besides those whose {@code NodeInfo.maintenance()} is set.
 * Both are node ids; platform-api keeps maintenance in SQL, and excludes nodes it considers lost.
 *
 * <p>A skipped node takes no new instance, and the instances already on it count for nothing: not
 * for its zone's spread, not for the same-app weight. So replacements for the instances of a node
 * in maintenance or lost are placed as if those instances were gone. A {@link Shortage} reports
 * how many nodes were skipped for each reason.
 *
 * @param inMaintenance node ids in maintenance (in addition to {@code NodeInfo.maintenance()})
 * @param excluded node ids the caller excludes, e.g. nodes lost past their grace period
 */
public record Skips(Predicate<String> inMaintenance, Predicate<String> excluded) {

    private static final Skips NONE = new Skips(id -> false, id -> false);

    public Skips {
        Objects.requireNonNull(inMaintenance, "inMaintenance");
        Objects.requireNonNull(excluded, "excluded");
    }

    /** Only {@code NodeInfo.maintenance()} counts. */
    public static Skips none() {
        return NONE;
    }

    /** Copies both sets. */
    public static Skips of(Set<String> inMaintenance, Set<String> excluded) {
        Set<String> maintenance = Set.copyOf(inMaintenance);
        Set<String> lost = Set.copyOf(excluded);
        return new Skips(maintenance::contains, lost::contains);
    }

    /** These nodes are in maintenance as well (a copy of the set). */
    public Skips withMaintenance(Set<String> nodeIds) {
        Set<String> copy = Set.copyOf(nodeIds);
        return new Skips(inMaintenance.or(copy::contains), excluded);
    }

    /** These nodes are excluded as well (a copy of the set). */
    public Skips excluding(Set<String> nodeIds) {
        Set<String> copy = Set.copyOf(nodeIds);
        return new Skips(inMaintenance, excluded.or(copy::contains));
    }
}
