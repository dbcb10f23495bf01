package io.atoll.platform.apps;

import io.atoll.platform.audit.Audit;
import io.atoll.platform.security.AtollUser;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/apps")
class AppController {

    private final AppService apps;

    AppController(AppService apps) {
        this.apps = apps;
    }

    @PostMapping
    ResponseEntity<AppView> create(@AuthenticationPrincipal AtollUser caller,
            @Valid @RequestBody CreateAppRequest request) {
        Audit.app(request.name());
        AppView created = apps.create(request, caller);
        Audit.detail(created.team() == null ? "for admins only" : "team " + created.team());
        return ResponseEntity.created(URI.create("/api/v1/apps/" + created.name())).body(created);
    }

    @GetMapping
    List<AppView> list(@AuthenticationPrincipal AtollUser caller) {
        return apps.list(caller);
    }

    @GetMapping("/{app}")
    AppView get(@PathVariable String app) {
        return apps.view(apps.require(app));
    }

    @PatchMapping("/{app}")
    AppView update(@AuthenticationPrincipal AtollUser caller, @PathVariable String app,
            @Valid @RequestBody UpdateAppRequest request) {
        return apps.update(app, request, caller);
    }

    /** Accepted: the instances drain and stop, then the app, its route and its releases are gone (404). */
    @DeleteMapping("/{app}")
    ResponseEntity<AppView> delete(@PathVariable String app) {
        return ResponseEntity.accepted().body(apps.delete(app));
    }
}
