package io.atoll.platform.apps;

import io.atoll.model.RouteFilterCatalogue;
import java.util.List;
import java.util.regex.Pattern;
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

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");

    public RouteFilterProperties {
        extraFilters = extraFilters == null ? List.of() : extraFilters.stream().map(String::strip).toList();
        for (String name : extraFilters) {
            // Refused at start-up: the catalogue would otherwise drop it and every route naming it get a 400.
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("atoll.platform.routes.extra-filters: '" + name
                        + "' is not a filter name (letters and digits, starting with a letter, as SCG names a factory)");
            }
            if (RouteFilterCatalogue.WITHHELD_SCG_FILTERS.contains(name)) {
                // Listing it would take it with unchecked arguments: SetRequestUri would send requests past the balancer.
                throw new IllegalArgumentException("atoll.platform.routes.extra-filters: " + name
                        + " is one of Spring Cloud Gateway's own filters that Atoll does not offer on routes");
            }
        }
    }

    /** The standard catalogue with these filters added. */
    public RouteFilterCatalogue catalogue() {
        return RouteFilterCatalogue.standard().withExtra(extraFilters);
    }
}
