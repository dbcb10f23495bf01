package io.atoll.platform.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atoll.model.RouteFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an operator may list in {@code atoll.platform.routes.extra-filters}: checked at start-up. */
class RouteFilterPropertiesTest {

    @Test
    void scgsOwnUncheckedFiltersCannotBeListed() {
        // Listed, SetRequestUri would be accepted with any argument and send requests past the balancer.
        assertThatThrownBy(() -> new RouteFilterProperties(List.of("Tenant", "SetRequestUri")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("extra-filters").hasMessageContaining("SetRequestUri");
        assertThatThrownBy(() -> new RouteFilterProperties(List.of("Bad-Name")))
                .hasMessageContaining("is not a filter name");
    }

    @Test
    void anOperatorsFilterIsAcceptedWithItsArguments() {
        assertThat(new RouteFilterProperties(List.of(" Tenant ")).catalogue()
                .problems("routeFilters", List.of(RouteFilter.parse("Tenant=acme, eu")))).isEmpty();
    }
}
