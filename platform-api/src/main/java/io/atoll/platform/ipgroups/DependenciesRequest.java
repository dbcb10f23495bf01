package io.atoll.platform.ipgroups;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Body of {@code PUT /api/v1/apps/{app}/dependencies}: the IP groups the app may reach. */
public record DependenciesRequest(@NotNull @Size(max = 32) List<@NotNull String> dependencies) {
}
