package io.atoll.platform.deploys;

import io.atoll.platform.apps.App;
import io.atoll.platform.apps.AppService;
import io.atoll.platform.control.AppNudges;
import io.atoll.platform.formation.Formation;
import io.atoll.platform.formation.FormationRepository;
import io.atoll.platform.registry.ImagePolicy;
import io.atoll.platform.releases.Release;
import io.atoll.platform.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The API side of deploys: records them (PENDING, one per app at a time) and answers about them.
 * Nothing here rolls anything out: the deploy controller on the elected replica does, from the
 * persisted row, so a deploy survives the replica that took the call.
 */
@Service
public class DeployService {

    private final AppService apps;
    private final DeployRepository deploys;
    private final DeployEventRepository events;
    private final FormationRepository formations;
    private final ImagePolicy images;
    private final DeployProperties properties;
    private final AppNudges nudges;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock = Clock.systemUTC();

    DeployService(AppService apps, DeployRepository deploys, DeployEventRepository events,
            FormationRepository formations, ImagePolicy images, DeployProperties properties, AppNudges nudges,
            JdbcClient jdbc, TransactionTemplate transactions) {
        this.apps = apps;
        this.deploys = deploys;
        this.events = events;
        this.formations = formations;
        this.images = images;
        this.properties = properties;
        this.nudges = nudges;
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /** A deploy of an image: pinned by digest and made a release by the deploy controller. */
    public DeployView start(String appName, DeployRequest request, String author) {
        apps.require(appName);
        try {
            // before anything connects anywhere: a refused image never reaches the registry client
            images.check(request.image());
        } catch (ImagePolicy.InvalidImageException e) {
            throw ApiException.invalid(List.of("image: " + ApiException.quote(request.image()) + " " + e.getMessage()));
        }
        return record(appName, request.image(), null, "deploy", request, author);
    }

    /** A deploy of a release that exists already (a rollback, a config change). */
    public DeployView startRelease(App app, Release release, Integer instances, String author) {
        DeployRequest request = DeployRequest.of(release.image(), instances);
        return record(app.name(), release.image(), release.id(), release.cause(), request, author);
    }

    private DeployView record(String appName, String image, String releaseId, String cause, DeployRequest request,
            String author) {
        boolean canary = "canary".equals(request.strategy());
        if (canary && request.weight() == null) {
            throw ApiException.invalid(List.of("weight: a canary needs the share of traffic it gets, 1 to 99"));
        }
        if (!canary && request.weight() != null) {
            throw ApiException.invalid(List.of("weight: only a canary deploy has a weight"));
        }
        Deploy deploy = transactions.execute(status -> {
            // The app's row lock serialises deploys of one app across every replica.
            Boolean deleting = jdbc.sql("select deleting from app where name = :name for update")
                    .param("name", appName).query(Boolean.class).optional().orElse(null);
            if (deleting == null) {
                throw ApiException.notFound("App", appName);
            }
            if (deleting) {
                throw ApiException.conflict("app '" + appName + "' is being deleted");
            }
            deploys.findActive(appName).ifPresent(running -> {
                throw ApiException.conflict("app '" + appName + "' already has deploy " + running.id()
                        + " in progress (" + running.status() + ")", Map.of("deployId", running.id()));
            });
            Formation formation = formations.findById(appName).orElse(Formation.empty(appName));
            int instances = request.instances() != null ? request.instances()
                    : formation.instances() > 0 ? formation.instances() : 1;
            Instant now = clock.instant();
            int deadline = request.progressDeadlineSeconds() != null ? request.progressDeadlineSeconds()
                    : (int) Math.max(1, properties.progressDeadline().toSeconds());
            Deploy created = deploys.save(new Deploy(UUID.randomUUID().toString(), appName, image, instances,
                    releaseId, formation.releaseId(), DeployStatus.PENDING, null, cause, canary ? "canary" : "rolling",
                    request.maxSurge() != null ? request.maxSurge() : properties.maxSurge(),
                    request.maxUnavailable() != null ? request.maxUnavailable() : properties.maxUnavailable(),
                    request.minReadySeconds() != null ? request.minReadySeconds() : 0, deadline,
                    canary ? request.weight() : 0,
                    request.memoryMb(), author, now, now, null, null, null));
            events.save(new DeployEvent(null, created.id(), now, "created", cause + " of " + image + " with "
                    + instances + " instance(s) requested by " + author));
            return created;
        });
        nudges.nudge(appName);
        return DeployView.of(deploy, events.findAfter(deploy.id(), 0));
    }

    /** 409 while the app has a deploy in progress (checked again, under the app's lock, when one is recorded). */
    public void requireNoneActive(String appName) {
        deploys.findActive(appName).ifPresent(running -> {
            throw ApiException.conflict("app '" + appName + "' already has deploy " + running.id()
                    + " in progress (" + running.status() + ")", Map.of("deployId", running.id()));
        });
    }

    /** A canary at CANARY rolls on to all instances. */
    public DeployView promote(String appName, String id, String who) {
        Deploy deploy = require(appName, id);
        if (deploy.status() != DeployStatus.CANARY) {
            throw ApiException.conflict("deploy " + id + " is " + deploy.status() + ", not a canary waiting to be promoted");
        }
        Instant now = clock.instant();
        deploys.save(deploy.promoted(now));
        events.save(new DeployEvent(null, id, now, "promoted", "promoted by " + who + ": rolling out to all "
                + deploy.instances() + " instance(s)"));
        nudges.nudge(appName);
        return get(appName, id);
    }

    /** A deploy still rolling out (or a canary) is stopped and rolled back. */
    public DeployView abort(String appName, String id, String who) {
        Deploy deploy = require(appName, id);
        if (deploy.status() != DeployStatus.CANARY && deploy.status() != DeployStatus.RUNNING
                && deploy.status() != DeployStatus.PENDING) {
            throw ApiException.conflict("deploy " + id + " is " + deploy.status() + " and cannot be aborted");
        }
        Instant now = clock.instant();
        String why = "aborted by " + who;
        deploys.save(deploy.status() == DeployStatus.PENDING ? deploy.withStatus(DeployStatus.FAILED, why, now)
                : deploy.withStatus(DeployStatus.ROLLING_BACK, why, now));
        events.save(new DeployEvent(null, id, now, "aborted", why));
        nudges.nudge(appName);
        return get(appName, id);
    }

    public DeployView get(String appName, String id) {
        return DeployView.of(require(appName, id), events.findAfter(id, 0));
    }

    public Deploy require(String appName, String id) {
        apps.require(appName);
        return deploys.findById(id)
                .filter(deploy -> deploy.app().equals(appName))
                .orElseThrow(() -> ApiException.notFound("Deploy", id));
    }

    public List<DeployView> list(String appName) {
        apps.require(appName);
        return deploys.findByApp(appName).stream().map(deploy -> DeployView.of(deploy, List.of())).toList();
    }

    public List<DeployEvent> eventsAfter(String deployId, long after) {
        return events.findAfter(deployId, after);
    }
}
