package io.atoll.gateway.balancing;

import io.atoll.gateway.routing.AppBackends;
import io.atoll.gateway.routing.AppBackends.ReleaseGroup;
import io.atoll.gateway.routing.Backend;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chooses the instance for a request in three steps: the release, by the route's weights (a
 * low-discrepancy sequence per app, so a 90/10 canary gets 10 of every 100 requests, evenly
 * spread, not in bursts); then the gateway's own zone when that release has an instance there
 * that can take it; then the instance with the fewest requests in flight, rotating the starting
 * point so that equally idle instances take turns. An instance that failed to connect is skipped
 * for a while unless nothing else is left: {@code ejectFor} the first time, doubling with each
 * further failure in a row up to {@code ejectMax}, so a dead instance costs a probe now and then
 * rather than one every few seconds, while one that merely blipped is back soon.
 *
 * <p>Counters live here, not in the routing table, so they survive table rebuilds.
 */
public class LeastOutstandingBalancer {

    /** The golden ratio's fractional part: consecutive multiples spread evenly over [0, 1). */
    private static final double GOLDEN = 0.6180339887498949;

    private final ConcurrentHashMap<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> ejectedUntil = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> releaseSequences = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> failuresInARow = new ConcurrentHashMap<>();
    private final AtomicInteger rotation = new AtomicInteger();
    private final Duration ejectFor;
    private final Duration ejectMax;

    public LeastOutstandingBalancer(Duration ejectFor, Duration ejectMax) {
        this.ejectFor = ejectFor;
        this.ejectMax = ejectMax.compareTo(ejectFor) < 0 ? ejectFor : ejectMax;
    }

    /**
     * Chooses an instance not in {@code exclude} and counts a request against it; the caller
     * must {@link #release} it. Null when every instance is excluded.
     */
    public Backend acquire(String app, AppBackends backends, Set<String> exclude) {
        ReleaseGroup group = chooseRelease(app, backends.releases(), exclude);
        if (group == null) {
            return null;
        }
        long now = System.nanoTime();
        int turn = rotation.getAndIncrement();
        Backend best = pick(group.local(), exclude, now, false, turn);
        if (best == null) {
            best = pick(group.remote(), exclude, now, false, turn);
        }
        if (best == null) {
            best = pick(group.local(), exclude, now, true, turn);
        }
        if (best == null) {
            best = pick(group.remote(), exclude, now, true, turn);
        }
        if (best != null) {
            counter(best).incrementAndGet();
        }
        return best;
    }

    private ReleaseGroup chooseRelease(String app, List<ReleaseGroup> groups, Set<String> exclude) {
        if (groups.size() == 1) {
            ReleaseGroup only = groups.get(0);
            return exclude.isEmpty() || hasCandidate(only, exclude) ? only : null;
        }
        long total = 0;
        for (ReleaseGroup group : groups) {
            if (hasCandidate(group, exclude)) {
                total += group.weight();
            }
        }
        if (total == 0) {
            return null;
        }
        long n = releaseSequences.computeIfAbsent(app, a -> new AtomicLong()).getAndIncrement();
        double point = ((n * GOLDEN) % 1.0) * total;
        ReleaseGroup last = null;
        for (ReleaseGroup group : groups) {
            if (!hasCandidate(group, exclude)) {
                continue;
            }
            last = group;
            point -= group.weight();
            if (point < 0) {
                return group;
            }
        }
        return last;
    }

    private static boolean hasCandidate(ReleaseGroup group, Set<String> exclude) {
        for (Backend backend : group.local()) {
            if (!exclude.contains(backend.key())) {
                return true;
            }
        }
        for (Backend backend : group.remote()) {
            if (!exclude.contains(backend.key())) {
                return true;
            }
        }
        return false;
    }

    /** The least loaded candidate that is (or, with {@code ejected}, is not) currently ejected. */
    private Backend pick(List<Backend> candidates, Set<String> exclude, long now, boolean ejected, int turn) {
        int size = candidates.size();
        if (size == 0) {
            return null;
        }
        int start = Math.floorMod(turn, size);
        Backend best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            Backend candidate = candidates.get((start + i) % size);
            if (exclude.contains(candidate.key()) || isEjected(candidate, now) != ejected) {
                continue;
            }
            int load = counter(candidate).get();
            if (load < bestLoad) {
                best = candidate;
                bestLoad = load;
            }
        }
        return best;
    }

    public void release(Backend backend) {
        AtomicInteger count = outstanding.get(backend.key());
        if (count != null) {
            count.updateAndGet(n -> Math.max(0, n - 1));
        }
    }

    /**
     * The instance refused the connection or did not accept it in time: no new requests for a
     * while, longer with each failure in a row.
     *
     * @return how long it is ejected for
     */
    public Duration connectFailed(Backend backend) {
        int row = failuresInARow.merge(backend.key(), 1, Integer::sum);
        Duration duration = ejectFor.multipliedBy(1L << Math.min(row - 1, 20));
        if (duration.compareTo(ejectMax) > 0) {
            duration = ejectMax;
        }
        ejectedUntil.put(backend.key(), System.nanoTime() + duration.toNanos());
        return duration;
    }

    /** A request reached the instance: its row of failures, if any, is over. */
    public void connected(Backend backend) {
        if (!failuresInARow.isEmpty()) {
            failuresInARow.remove(backend.key());
        }
    }

    public int outstanding(Backend backend) {
        AtomicInteger count = outstanding.get(backend.key());
        return count == null ? 0 : count.get();
    }

    /** True while the instance gets no new requests because it failed to connect. */
    public boolean isEjected(Backend backend) {
        return isEjected(backend, System.nanoTime());
    }

    /** Forgets instances (keys {@code app/instanceId}) that are gone from the table, and their apps. */
    public void retainOnly(Set<String> keys) {
        outstanding.keySet().retainAll(keys);
        ejectedUntil.keySet().retainAll(keys);
        failuresInARow.keySet().retainAll(keys);
        Set<String> apps = new HashSet<>();
        keys.forEach(key -> apps.add(key.substring(0, key.indexOf('/'))));
        releaseSequences.keySet().retainAll(apps);
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
