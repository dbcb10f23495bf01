package io.atoll.gateway.proxy;

import io.atoll.gateway.balancing.LeastOutstandingBalancer;
import io.atoll.gateway.config.AtollGatewayProperties;
import io.atoll.gateway.routing.RoutingTableWatcher;

/** What every connection of the proxy shares. */
record ProxyContext(RoutingTableWatcher tables, LeastOutstandingBalancer balancer, BackendConnections connections,
        RequestMetrics metrics, AtollGatewayProperties properties, ForwardedHeaders forwarded,
        AddressConnectionLimit connectionLimit) {
}
