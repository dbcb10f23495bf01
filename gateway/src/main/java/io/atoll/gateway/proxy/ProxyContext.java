package io.atoll.gateway.proxy;

import io.atoll.gateway.balancing.LeastOutstandingBalancer;
import io.atoll.gateway.config.AtollGatewayProperties;
import io.atoll.gateway.routing.RoutingTableWatcher;
import io.atoll.gateway.tls.HttpsRedirect;

/**
 * What every connection of one port shares.
 *
 * @param httpsRedirect on the plain port while HTTPS is served: which hosts are sent there; else null
 */
record ProxyContext(RoutingTableWatcher tables, LeastOutstandingBalancer balancer, BackendConnections connections,
        RequestMetrics metrics, AtollGatewayProperties properties, ForwardedHeaders forwarded,
        AddressConnectionLimit connectionLimit, HttpsRedirect httpsRedirect) {

    /** The same, for the TLS port: the scheme instances are told, and no redirect. */
    ProxyContext secure() {
        return new ProxyContext(tables, balancer, connections, metrics, properties, forwarded.withProto("https"),
                connectionLimit, null);
    }
}
