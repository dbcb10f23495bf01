package io.atoll.gateway.config;

import io.atoll.gateway.balancing.LeastOutstandingBalancer;
import io.atoll.gateway.filter.AtollRoutingFilter;
import io.atoll.gateway.filter.RequestIdFilter;
import io.atoll.gateway.filter.RequestMetricsFilter;
import io.atoll.gateway.management.RoutingEndpoint;
import io.atoll.gateway.routing.RoutingSnapshotStore;
import io.atoll.gateway.routing.RoutingTableBuilder;
import io.atoll.gateway.routing.RoutingTableHealthIndicator;
import io.atoll.gateway.routing.RoutingTableWatcher;
import io.atoll.zk.ZkPaths;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.boot.actuate.autoconfigure.web.server.ConditionalOnManagementPort;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires Atoll's routing into Spring Cloud Gateway: one catch-all route gets every request into
 * the gateway's filter chain, and {@link AtollRoutingFilter} decides per request, from the
 * ZooKeeper-fed table, where it goes. Keeping the table out of SCG's route list keeps lookup a
 * hash probe instead of a scan over one route per app.
 */
@Configuration(proxyBeanMethods = false)
public class GatewayConfiguration {

    static final String CATCH_ALL_ROUTE = "atoll";

    @Bean
    RouteLocator atollCatchAllRoute(RouteLocatorBuilder routes) {
        return routes.routes()
                .route(CATCH_ALL_ROUTE, route -> route.alwaysTrue().uri("http://atoll.invalid"))
                .build();
    }

    @Bean
    LeastOutstandingBalancer leastOutstandingBalancer(AtollGatewayProperties properties) {
        return new LeastOutstandingBalancer(properties.ejectFor(), properties.ejectMax());
    }

    @Bean
    RoutingTableWatcher routingTableWatcher(CuratorFramework client, ZkPaths paths,
            AtollGatewayProperties properties, LeastOutstandingBalancer balancer) {
        return new RoutingTableWatcher(client, paths, new RoutingTableBuilder(properties), balancer,
                properties.initialSyncTimeout(), new RoutingSnapshotStore(properties.snapshotFile()),
                properties.vanishedGrace());
    }

    @Bean
    RoutingTableHealthIndicator routingTableHealthIndicator(RoutingTableWatcher watcher) {
        return new RoutingTableHealthIndicator(watcher);
    }

    @Bean
    AtollRoutingFilter atollRoutingFilter(RoutingTableWatcher watcher, LeastOutstandingBalancer balancer,
            AtollGatewayProperties properties) {
        return new AtollRoutingFilter(watcher, balancer, properties);
    }

    /**
     * Only with a management port of its own: on the traffic port every path belongs to the
     * apps, and the table's content is not for the public.
     */
    @Bean
    @ConditionalOnManagementPort(ManagementPortType.DIFFERENT)
    RoutingEndpoint routingEndpoint(RoutingTableWatcher watcher, LeastOutstandingBalancer balancer) {
        return new RoutingEndpoint(watcher, balancer);
    }

    @Bean
    RequestIdFilter requestIdFilter() {
        return new RequestIdFilter();
    }

    @Bean
    RequestMetricsFilter requestMetricsFilter(MeterRegistry registry) {
        return new RequestMetricsFilter(registry);
    }
}
