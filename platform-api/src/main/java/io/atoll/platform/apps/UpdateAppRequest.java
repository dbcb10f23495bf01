package io.atoll.platform.apps;

import io.atoll.model.RouteFilter;
import java.util.List;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Body of {@code PATCH /api/v1/apps/{app}}: the settings that reach running instances without a
 * new release; a field left out is left as it is.
 *
 * @param stopGraceSeconds time an instance has between SIGTERM and SIGKILL when it stops (0: the
 *     node agents' default, {@code atoll.agent.stop-grace})
 * @param team hands the app to another team, which the caller must be a member of (or an admin)
 * @param routeFilters Spring Cloud Gateway filters every request to the app runs through, in
 *     SCG's syntax ({@code "AddResponseHeader=X-A, b"} or {@code {"name":..,"args":{..}}}); an
 *     empty list returns the app to the gateway's plain path (docs/gateway.md, "Filtered routes")
 */
public record UpdateAppRequest(@Min(0) @Max(300) Integer stopGraceSeconds, @Team String team,
        List<RouteFilter> routeFilters) {
}
