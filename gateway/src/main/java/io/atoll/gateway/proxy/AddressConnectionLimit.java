package io.atoll.gateway.proxy;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many connections each client address holds, so one address cannot take every file
 * descriptor of the gateway ({@code atoll.gateway.max-connections-per-address}). Trusted proxies
 * are not counted: many clients share their address.
 */
final class AddressConnectionLimit {

    private final int limit;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    /** @param limit connections per address; 0 for no limit */
    AddressConnectionLimit(int limit) {
        this.limit = limit;
    }

    /** Counts a new connection; false (and not counted) when the address already holds its share. */
    boolean tryAcquire(InetAddress address) {
        if (limit <= 0 || address == null) {
            return true;
        }
        boolean[] admitted = {false};
        open.compute(address, (key, count) -> {
            int current = count == null ? 0 : count;
            if (current >= limit) {
                return count;
            }
            admitted[0] = true;
            return current + 1;
        });
        return admitted[0];
    }

    void release(InetAddress address) {
        if (limit <= 0 || address == null) {
            return;
        }
        open.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
    }

    /** Connections counted for the address right now. */
    int openFrom(InetAddress address) {
        return open.getOrDefault(address, 0);
    }
}
