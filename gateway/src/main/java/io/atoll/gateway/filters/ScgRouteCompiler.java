package io.atoll.gateway.filters;

import io.atoll.gateway.routing.FilteredRoute;
import io.atoll.model.RouteFilter;
import io.atoll.model.RouteFilterCatalogue;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.cloud.gateway.event.FilterArgsEvent;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.cloud.gateway.support.HasRouteId;
import org.springframework.cloud.gateway.support.RouteMetadataUtils;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import reactor.core.publisher.Mono;

/**
 * Binds a rule's filter definitions the way SCG's RouteDefinitionRouteLocator binds a YAML
 * route's: every {@code GatewayFilterFactory} bean by its name (SCG's own, Atoll's, and any an
 * operator adds), arguments bound by SCG's ConfigurationService (which also tells the rate
 * limiter its per-route settings), filters without an order of their own ordered by position.
 * The result is an SCG {@link Route} run by SCG's FilteringWebHandler, with its global filters.
 */
public final class ScgRouteCompiler implements FilteredRoute.Compiler {

    /** Never connected to: the forwarding filter puts the balancer's instance in its place. */
    static final URI PLACEHOLDER = URI.create("http://instance.atoll.invalid");

    private final Map<String, GatewayFilterFactory<?>> factories = new HashMap<>();
    private final ConfigurationService configuration;
    private final FilteringWebHandler handler;

    public ScgRouteCompiler(List<GatewayFilterFactory<?>> factories, ConfigurationService configuration,
            FilteringWebHandler handler) {
        // SCG's own filters that platform-api never accepts are not bound here either, so a route
        // written to ZooKeeper by other means cannot use SetRequestUri and the like to send
        // requests past the balancer.
        factories.stream().filter(factory -> !RouteFilterCatalogue.WITHHELD_SCG_FILTERS.contains(factory.name()))
                .forEach(factory -> this.factories.put(factory.name(), factory));
        this.configuration = configuration;
        this.handler = handler;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public FilteredRoute compile(String routeId, List<RouteFilter> definitions, Duration connectTimeout,
            Duration responseTimeout) {
        List<GatewayFilter> filters = new ArrayList<>(definitions.size());
        for (int i = 0; i < definitions.size(); i++) {
            RouteFilter definition = definitions.get(i);
            GatewayFilterFactory factory = factories.get(definition.name());
            if (factory == null) {
                throw new IllegalArgumentException(RouteFilterCatalogue.WITHHELD_SCG_FILTERS.contains(definition.name())
                        ? definition.name() + " is not offered on routes (docs/gateway.md, Filtered routes)"
                        : "no filter named '" + definition.name() + "' in this gateway");
            }
            Object config;
            try {
                config = configuration.with(factory).name(definition.name()).properties(definition.args())
                        .eventFunction((bound, properties) -> new FilterArgsEvent(this, routeId,
                                (Map<String, Object>) properties))
                        .bind();
                if (config instanceof HasRouteId hasRouteId) {
                    hasRouteId.setRouteId(routeId);
                }
                GatewayFilter filter = factory.apply(config);
                filters.add(filter instanceof Ordered ? filter : new OrderedGatewayFilter(filter, i + 1));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("filter " + definition.shortcut() + ": " + rootMessage(e), e);
            }
        }
        AnnotationAwareOrderComparator.sort(filters);
        Route route = Route.async().id(routeId).uri(PLACEHOLDER).order(0)
                .asyncPredicate(exchange -> Mono.just(true)).replaceFilters(filters)
                .metadata(Map.of(RouteMetadataUtils.CONNECT_TIMEOUT_ATTR, (int) connectTimeout.toMillis(),
                        RouteMetadataUtils.RESPONSE_TIMEOUT_ATTR, responseTimeout.toMillis()))
                .build();
        return exchange -> {
            exchange.getAttributes().put(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR, route);
            // Instances see the name the client used, as on the plain path.
            exchange.getAttributes().put(ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE, true);
            return handler.handle(exchange);
        };
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
}
