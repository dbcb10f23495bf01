package io.atoll.platform.audit;

import io.atoll.logs.LogSince;
import io.atoll.platform.security.AppPermissions;
import io.atoll.platform.security.AtollUser;
import io.atoll.platform.web.ApiException;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

@RestController
class AuditController {

    private final AuditQuery audit;
    private final AppPermissions apps;

    AuditController(AuditQuery audit, AppPermissions apps) {
        this.audit = audit;
        this.apps = apps;
    }

    /**
     * Admins read the whole log; anyone else reads the events of an app of their team
     * ({@code app=}) or their own ({@code user=} themselves).
     */
    @GetMapping("/api/v1/audit")
    AuditPage list(@AuthenticationPrincipal AtollUser caller,
            @RequestParam(required = false) @Size(max = 63) String app,
            @RequestParam(required = false) @Size(max = 256) String user,
            @RequestParam(required = false) @Size(max = 64) String since,
            @RequestParam(required = false) @Min(1) Long before,
            @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
        boolean allowed = caller.admin() || (app != null ? apps.allows(caller, app) : caller.name().equals(user));
        if (!allowed) {
            throw new ApiException(HttpStatus.FORBIDDEN, "Forbidden", app != null
                    ? "only members of the app's team, and admins, read its audit log"
                    : "name an app of your team (app=) or yourself (user=): only admins read the whole audit log");
        }
        Instant from;
        try {
            from = LogSince.parse(since);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(List.of(e.getMessage()));
        }
        List<AuditEvent> events = audit.find(app, user, from, before, limit);
        String next = events.size() < limit ? null : UriComponentsBuilder.fromPath("/api/v1/audit")
                .queryParamIfPresent("app", java.util.Optional.ofNullable(app))
                .queryParamIfPresent("user", java.util.Optional.ofNullable(user))
                .queryParamIfPresent("since", java.util.Optional.ofNullable(from).map(Instant::toString))
                .queryParam("before", events.get(events.size() - 1).id())
                .queryParam("limit", limit)
                .encode().build().toUriString();
        return new AuditPage(events, next);
    }
}
