package io.atoll.platform.placement;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What {@link Placer#place(String, int, io.atoll.model.Resources)} or {@link Placer#placeWhatFits} decided:
 * one node id per new instance, in the order they were placed, and, when not all of them fit, the
 * {@link Shortage} that says why.
 *
 * <p>{@code place} is all or nothing: a placement with a shortage has no node ids. {@code placeWhatFits}
 * returns the instances that fit and the shortage of the rest.
 *
 * @param nodeIds one node id per placed instance (a node may appear several times)
 * @param shortage null when every requested instance was placed
 */
public record Placement(List<String> nodeIds, Shortage shortage) {

    public Placement {
        nodeIds = List.copyOf(nodeIds);
    }

    /** Every requested instance placed. */
    public static Placement of(List<String> nodeIds) {
        return new Placement(nodeIds, null);
    }

    /** Not all placed: {@code nodeIds} are those that were (none from {@code Placer.place}). */
    public static Placement partial(List<String> nodeIds, Shortage shortage) {
        return new Placement(nodeIds, Objects.requireNonNull(shortage, "shortage"));
    }

    /** Every requested instance has a node. */
    public boolean complete() {
        return shortage == null;
    }

    /** The shortage, empty when {@link #complete()}. */
    public Optional<Shortage> shortfall() {
        return Optional.ofNullable(shortage);
    }

    /**
     * The node ids if complete; otherwise throws what {@code toException} makes of the shortage,
     * e.g. {@code placement.nodeIdsOrThrow(s -> ApiException.conflict(s.describe(), s.problemProperties()))}.
     */
    public <X extends Throwable> List<String> nodeIdsOrThrow(Function<Shortage, ? extends X> toException) throws X {
        if (shortage != null) {
            throw toException.apply(shortage);
        }
        return nodeIds;
    }
}
