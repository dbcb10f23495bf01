package io.atoll.gateway.warmup;

import io.atoll.gateway.config.AtollGatewayProperties;
import io.atoll.gateway.proxy.ProxyServer;
import io.atoll.gateway.routing.RoutingTableWatcher;
import io.atoll.warmup.WarmupHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The start-up warm-up and the health indicator that holds readiness back until it is over. */
@Configuration(proxyBeanMethods = false)
public class WarmupConfiguration {

    @Bean
    GatewayWarmup gatewayWarmup(WarmupProperties properties, AtollGatewayProperties gateway,
            RoutingTableWatcher tables, ProxyServer proxy, MeterRegistry meters) {
        return new GatewayWarmup(properties, gateway, tables, proxy, meters);
    }

    /** Named {@code warmup} in health; listed in the readiness group (application.yml). */
    @Bean
    WarmupHealthIndicator warmupHealthIndicator(GatewayWarmup warmup) {
        return new WarmupHealthIndicator(warmup);
    }
}
