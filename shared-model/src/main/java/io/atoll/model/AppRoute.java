package io.atoll.model;

import java.util.List;
import java.util.Map;

/**
 * Everything the gateway needs to know about one app's traffic, written by platform-api at
 * {@code /atoll/routes/{app}}.
 *
 * @param weights share of traffic per release id; empty means every HEALTHY instance is equal
 */
public record AppRoute(String app, List<RouteRule> rules, Map<String, Integer> weights, long version) {

    public AppRoute {
        rules = rules == null ? List.of() : List.copyOf(rules);
        weights = weights == null ? Map.of() : Map.copyOf(weights);
    }
}
