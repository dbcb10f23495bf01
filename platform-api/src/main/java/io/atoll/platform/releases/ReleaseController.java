package io.atoll.platform.releases;

import io.atoll.platform.apps.App;
import io.atoll.platform.apps.AppService;
import io.atoll.platform.deploys.DeployService;
import io.atoll.platform.deploys.DeployView;
import io.atoll.platform.web.ApiException;
import io.atoll.platform.audit.Audit;
import io.atoll.platform.web.Authors;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The release ledger, and rollback: a new release made from an earlier one, rolled out like a deploy. */
@RestController
@RequestMapping("/api/v1/apps/{app}")
class ReleaseController {

    private static final Pattern VERSION = Pattern.compile("v?([1-9][0-9]{0,8})");

    /** Body of {@code POST rollback}: the release to go back to, {@code v2} or {@code 2}. */
    record RollbackRequest(@NotBlank @Size(max = 12) String release) {
    }

    private final AppService apps;
    private final ReleaseService releases;
    private final ReleaseRepository repository;
    private final DeployService deploys;

    ReleaseController(AppService apps, ReleaseService releases, ReleaseRepository repository, DeployService deploys) {
        this.apps = apps;
        this.releases = releases;
        this.repository = repository;
        this.deploys = deploys;
    }

    @GetMapping("/releases")
    List<ReleaseView> list(@PathVariable String app) {
        apps.require(app);
        String serving = releases.serving(app).map(Release::id).orElse(null);
        return repository.findByApp(app).stream().map(r -> ReleaseView.of(r, r.id().equals(serving))).toList();
    }

    @GetMapping("/releases/{release}")
    ReleaseView get(@PathVariable String app, @PathVariable String release) {
        apps.require(app);
        Release found = find(app, release);
        return ReleaseView.of(found, Objects.equals(releases.serving(app).map(Release::id).orElse(null), found.id()));
    }

    /** Accepted: the next release, with the image and config of the one named, rolled out as a deploy. */
    @PostMapping("/rollback")
    ResponseEntity<Map<String, Object>> rollback(@PathVariable String app, @Valid @RequestBody RollbackRequest request,
            Authentication who) {
        App found = apps.require(app);
        Release target = find(app, request.release());
        if (target.pinnedImage().isEmpty()) {
            throw ApiException.conflict(target.label() + " of app '" + app + "' has no image to run");
        }
        deploys.requireNoneActive(app);
        Release release = releases.rollback(found, target, Authors.of(who));
        Audit.detail("rollback to " + target.label() + " as " + release.label());
        DeployView deploy = deploys.startRelease(found, release, null, Authors.of(who));
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/apps/" + app + "/deploys/" + deploy.id()))
                .body(Map.of("release", ReleaseView.of(release, false), "deploy", deploy));
    }

    private Release find(String app, String name) {
        var matcher = VERSION.matcher(name.strip());
        if (!matcher.matches()) {
            throw ApiException.invalid(List.of("release: " + ApiException.quote(name) + " is not a release like 'v2'"));
        }
        return repository.findByNumber(app, Integer.parseInt(matcher.group(1)))
                .orElseThrow(() -> ApiException.notFound("Release", name));
    }
}
