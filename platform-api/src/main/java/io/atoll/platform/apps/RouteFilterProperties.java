package io.atoll.platform.apps;

import io.atoll.model.RouteFilterCatalogue;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code atoll.platform.routes.*}: what platform-api accepts in an app's {@code routeFilters}
 * besides the filters of {@link RouteFilterCatalogue#standard()} (docs/platform-api.md).
 *
 * @param extraFilters names of the {@code GatewayFilterFactory} beans an operator has added to the
 *     gateway (the factory's class name without {@code GatewayFilterFactory}, as SCG names it),
 *     accepted with any arguments: platform-api does not know their shape, so beyond the checks
 *     every filter gets (no control characters, no {@code #{}, the size limits) the gateway's
 *     binding is the check. A name the standard catalogue already has keeps its own checks.
 */
@ConfigurationProperties("atoll.platform.routes")
public record RouteFilterProperties(List<String> extraFilters) {

    public RouteFilterProperties {
        extraFilters = extraFilters == null ? List.of() : extraFilters.stream().map(String::strip).toList();
        try {
            // Checked at start-up, by the catalogue that will use them.
            RouteFilterCatalogue.standard().withExtra(extraFilters);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("atoll.platform.routes.extra-filters: " + e.getMessage(), e);
        }
    }

    /** The standard catalogue with these filters added. */
    public RouteFilterCatalogue catalogue() {
        return RouteFilterCatalogue.standard().withExtra(extraFilters);
    }
}
