package io.atoll.gateway.balancing;

import io.atoll.gateway.routing.Backend;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the instance with the fewest requests in flight, rotating the starting point so that
 * equally idle instances take turns. An instance that refused a connection is skipped for a
 * while unless nothing else is left.
 *
 * <p>Counters live here, not in the routing table, so they survive table rebuilds.
 */
public class LeastOutstandingBalancer {

    private final ConcurrentHashMap<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> ejectedUntil = new ConcurrentHashMap<>();
    private final AtomicInteger rotation = new AtomicInteger();

    /**
     * Chooses an instance not in {@code exclude} and counts a request against it; the caller
     * must {@link #release} it. Null when every instance is excluded.
     */
    public Backend acquire(List<Backend> backends, Set<String> exclude) {
        int size = backends.size();
        int start = Math.floorMod(rotation.getAndIncrement(), size);
        long now = System.nanoTime();
        Backend best = null;
        int bestLoad = Integer.MAX_VALUE;
        boolean bestEjected = true;
        for (int i = 0; i < size; i++) {
            Backend candidate = backends.get((start + i) % size);
            if (exclude.contains(candidate.key())) {
                continue;
            }
            boolean ejected = isEjected(candidate, now);
            int load = counter(candidate).get();
            if (best == null || (bestEjected && !ejected) || (ejected == bestEjected && load < bestLoad)) {
                best = candidate;
                bestLoad = load;
                bestEjected = ejected;
            }
        }
        if (best != null) {
            counter(best).incrementAndGet();
        }
        return best;
    }

    public void release(Backend backend) {
        AtomicInteger count = outstanding.get(backend.key());
        if (count != null) {
            count.updateAndGet(n -> Math.max(0, n - 1));
        }
    }

    public void eject(Backend backend, Duration duration) {
        ejectedUntil.put(backend.key(), System.nanoTime() + duration.toNanos());
    }

    public int outstanding(Backend backend) {
        AtomicInteger count = outstanding.get(backend.key());
        return count == null ? 0 : count.get();
    }

    /** Forgets instances that are gone from the table. */
    public void retainOnly(Set<String> keys) {
        outstanding.keySet().retainAll(keys);
        ejectedUntil.keySet().retainAll(keys);
    }

    private boolean isEjected(Backend backend, long now) {
        Long until = ejectedUntil.get(backend.key());
        if (until == null) {
            return false;
        }
        if (now - until >= 0) {
            ejectedUntil.remove(backend.key(), until);
            return false;
        }
        return true;
    }

    private AtomicInteger counter(Backend backend) {
        return outstanding.computeIfAbsent(backend.key(), key -> new AtomicInteger());
    }
}
