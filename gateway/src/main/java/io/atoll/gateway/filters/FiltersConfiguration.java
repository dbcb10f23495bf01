package io.atoll.gateway.filters;

import io.atoll.gateway.balancing.LeastOutstandingBalancer;
import java.util.List;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Cloud Gateway for the rules that list filters. SCG's auto-configuration provides its
 * filter factories, global filters (NettyRoutingFilter and its HttpClient) and FilteringWebHandler;
 * Atoll adds the in-memory rate limiter and its key, BasicAuth, the balancing step, and the
 * compiler the routing table binds rules with. Any {@code GatewayFilterFactory} bean an operator
 * adds is found by its name the same way.
 */
@Configuration(proxyBeanMethods = false)
public class FiltersConfiguration {

    @Bean
    InMemoryRateLimiter inMemoryRateLimiter(ConfigurationService configurationService) {
        return new InMemoryRateLimiter(configurationService);
    }

    @Bean
    ClientAddressKeyResolver clientAddressKeyResolver() {
        return new ClientAddressKeyResolver();
    }

    @Bean
    BasicAuthGatewayFilterFactory basicAuthGatewayFilterFactory() {
        return new BasicAuthGatewayFilterFactory();
    }

    @Bean
    BalancedForwardFilter balancedForwardFilter(LeastOutstandingBalancer balancer) {
        return new BalancedForwardFilter(balancer);
    }

    @Bean
    AtollForwardedHeaders atollForwardedHeaders() {
        return new AtollForwardedHeaders();
    }

    @Bean
    ScgRouteCompiler scgRouteCompiler(List<GatewayFilterFactory<?>> factories,
            ConfigurationService configurationService, FilteringWebHandler filteringWebHandler) {
        return new ScgRouteCompiler(factories, configurationService, filteringWebHandler);
    }
}
