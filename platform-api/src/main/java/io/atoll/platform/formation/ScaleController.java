package io.atoll.platform.formation;

import io.atoll.model.Resources;
import io.atoll.platform.apps.App;
import io.atoll.platform.apps.AppService;
import io.atoll.platform.control.AppNudges;
import io.atoll.platform.deploys.DeployService;
import io.atoll.platform.instances.ClusterState;
import io.atoll.platform.instances.DesiredInstanceRepository;
import io.atoll.platform.placement.Placement;
import io.atoll.platform.placement.Placer;
import io.atoll.platform.placement.Skips;
import io.atoll.platform.releases.Release;
import io.atoll.platform.releases.ReleaseService;
import io.atoll.platform.web.ApiException;
import io.atoll.platform.audit.Audit;
import io.atoll.platform.web.Authors;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /apps/{app}/scale}: a new release of the same spec, and a new instance count; nothing restarts. */
@RestController
class ScaleController {

    /** Body: how many instances of the serving release to run. */
    record ScaleRequest(@NotNull @Min(0) @Max(1000) Integer instances) {
    }

    private final AppService apps;
    private final ReleaseService releases;
    private final FormationRepository formations;
    private final DeployService deploys;
    private final DesiredInstanceRepository desired;
    private final ClusterState cluster;
    private final AppNudges nudges;
    private final JdbcClient jdbc;

    ScaleController(AppService apps, ReleaseService releases, FormationRepository formations, DeployService deploys,
            DesiredInstanceRepository desired, ClusterState cluster, AppNudges nudges, JdbcClient jdbc) {
        this.apps = apps;
        this.releases = releases;
        this.formations = formations;
        this.deploys = deploys;
        this.desired = desired;
        this.cluster = cluster;
        this.nudges = nudges;
        this.jdbc = jdbc;
    }

    @PostMapping("/api/v1/apps/{app}/scale")
    ResponseEntity<Map<String, Object>> scale(@PathVariable String app, @Valid @RequestBody ScaleRequest request,
            Authentication who) {
        App found = apps.require(app);
        if (found.deleting()) {
            throw ApiException.conflict("app '" + app + "' is being deleted");
        }
        deploys.requireNoneActive(app);
        Formation formation = formations.findById(app).orElse(Formation.empty(app));
        Release serving = formation.releaseId() == null ? null : releases.find(formation.releaseId()).orElse(null);
        if (serving == null) {
            throw ApiException.conflict("app '" + app + "' has no release to scale yet: deploy an image first");
        }
        int more = request.instances() - formation.instances();
        if (more > 0) {
            requireRoom(app, serving, more);
        }
        Release release = releases.scale(found, serving, request.instances(), Authors.of(who));
        Audit.detail(formation.instances() + " to " + request.instances() + " instances (" + release.label() + ")");
        formations.save(formation.serving(release.id(), request.instances()));
        nudges.nudge(app);
        return ResponseEntity.accepted().body(Map.of("release", release.label(), "instances", request.instances()));
    }

    /** 409 naming what is short when the cluster cannot take the new instances. */
    private void requireRoom(String app, Release release, int more) {
        Resources each = new Resources(release.memoryMb(), release.cpuShares(), 1);
        java.util.Set<String> maintenance = java.util.Set.copyOf(
                jdbc.sql("select node_id from node_maintenance").query(String.class).list());
        List<Placer.Placed> existing = desired.findAll().stream()
                .map(i -> new Placer.Placed(i.nodeId(), i.app(), new Resources(i.memoryMb(), i.cpuShares(), 1)))
                .toList();
        Placement placement = Placer.of(cluster.liveNodes(), existing, Skips.none().withMaintenance(maintenance))
                .place(app, more, each);
        if (!placement.complete()) {
            throw ApiException.conflict("not enough capacity: " + placement.shortage().describe(),
                    placement.shortage().problemProperties());
        }
    }
}
