package io.atoll.gateway.config;

import io.atoll.gateway.balancing.LeastOutstandingBalancer;
import io.atoll.gateway.management.RoutingEndpoint;
import io.atoll.gateway.http2.Http2Properties;
import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.gateway.proxy.RequestMetrics;
import io.atoll.gateway.routing.FilteredRoute;
import io.atoll.gateway.routing.RoutingSnapshotStore;
import io.atoll.gateway.routing.RoutingTableBuilder;
import io.atoll.gateway.routing.RoutingTableHealthIndicator;
import io.atoll.gateway.routing.RoutingTableWatcher;
import io.atoll.gateway.tls.CertificateStore;
import io.atoll.gateway.tls.TlsProperties;
import io.atoll.zk.ZkPaths;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The gateway's parts: the ZooKeeper-fed routing table, the balancer, and the proxy on the
 * traffic port that consults both per request. Boot's own web server is the management port.
 */
@Configuration(proxyBeanMethods = false)
public class GatewayConfiguration {

    @Bean
    LeastOutstandingBalancer leastOutstandingBalancer(AtollGatewayProperties properties) {
        return new LeastOutstandingBalancer(properties.ejectFor(), properties.ejectMax());
    }

    @Bean
    RoutingTableWatcher routingTableWatcher(CuratorFramework client, ZkPaths paths,
            AtollGatewayProperties properties, LeastOutstandingBalancer balancer,
            ObjectProvider<FilteredRoute.Compiler> filters) {
        return new RoutingTableWatcher(client, paths, new RoutingTableBuilder(properties, filters.getIfAvailable()),
                balancer,
                properties.initialSyncTimeout(), new RoutingSnapshotStore(properties.snapshotFile()),
                properties.vanishedGrace());
    }

    @Bean
    RoutingTableHealthIndicator routingTableHealthIndicator(RoutingTableWatcher watcher) {
        return new RoutingTableHealthIndicator(watcher);
    }

    @Bean
    RequestMetrics requestMetrics(MeterRegistry registry) {
        return new RequestMetrics(registry);
    }

    @Bean
    ProxyServer proxyServer(RoutingTableWatcher watcher, LeastOutstandingBalancer balancer, RequestMetrics metrics,
            AtollGatewayProperties properties, ObjectProvider<CertificateStore> certificates, TlsProperties tls,
            Http2Properties http2) {
        return new ProxyServer(watcher, balancer, metrics, properties, certificates.getIfAvailable(), tls, http2);
    }

    /**
     * On the management port only (Boot's web server): the traffic port belongs to the apps,
     * and the table's content is not for the public.
     */
    @Bean
    RoutingEndpoint routingEndpoint(RoutingTableWatcher watcher, LeastOutstandingBalancer balancer) {
        return new RoutingEndpoint(watcher, balancer);
    }
}
