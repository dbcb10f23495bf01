package io.atoll.platform.apps;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Body of {@code PATCH /api/v1/apps/{app}}: the settings that reach running instances without a
 * new release; a field left out is left as it is.
 *
 * @param stopGraceSeconds time an instance has between SIGTERM and SIGKILL when it stops (0: the
 *     node agents' default, {@code atoll.agent.stop-grace})
 * @param team hands the app to another team, which the caller must be a member of (or an admin)
 */
public record UpdateAppRequest(@Min(0) @Max(300) Integer stopGraceSeconds, @Team String team) {
}
