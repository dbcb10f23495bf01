package io.atoll.gateway.routing;

/** What the routing table says about one request. */
public sealed interface Resolution {

    /** No app claims the host (or no rule of the host matches the path): 404. */
    record NoRoute(String host, String path) implements Resolution {
    }

    /** The app exists but has no HEALTHY instance right now: 503. */
    record NoHealthyInstance(String app) implements Resolution {
    }

    record Match(AppRule rule, AppBackends backends) implements Resolution {
    }
}
