package io.atoll.platform.apps;

import io.atoll.json.JsonCodec;
import io.atoll.model.RouteFilterCatalogue;
import io.atoll.platform.releases.Release;
import io.atoll.platform.formation.Formation;
import io.atoll.platform.formation.FormationRepository;
import io.atoll.platform.control.AppNudges;
import io.atoll.platform.releases.ReleaseRepository;
import io.atoll.platform.hosts.HostClaims;
import io.atoll.platform.hosts.HostName;
import io.atoll.platform.hosts.HostPolicy;
import io.atoll.platform.security.AtollUser;
import io.atoll.platform.web.ApiException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class AppService {

    private final AppRepository apps;
    private final ReleaseRepository releases;
    private final HostPolicy hostPolicy;
    private final HostClaims claims;
    private final Clock clock;

    private final FormationRepository formations;
    private final AppNudges nudges;
    /** SCG's filters and Atoll's, as the gateway builds them, and the operator's own (atoll.platform.routes.extra-filters). */
    private final RouteFilterCatalogue routeFilters;

    AppService(AppRepository apps, ReleaseRepository releases, HostPolicy hostPolicy, HostClaims claims,
            FormationRepository formations, AppNudges nudges, RouteFilterProperties routeFilterProperties) {
        this.routeFilters = routeFilterProperties.catalogue();
        this.formations = formations;
        this.nudges = nudges;
        this.apps = apps;
        this.releases = releases;
        this.hostPolicy = hostPolicy;
        this.claims = claims;
        this.clock = Clock.systemUTC();
    }

    /**
     * Creates the app and claims its hosts in one transaction, under the claim lock: a host
     * already owned by another app, or overlapping one, is a 409 (the owner is not named: the
     * caller may not be allowed to know it), and so is taking another app's default host.
     */
    @Transactional
    public AppView create(CreateAppRequest request, AtollUser caller) {
        String team = owningTeam(request.team(), caller);
        List<HostName> hosts = checkHosts(request.name(), request.hosts());
        int port = request.containerPort() == null ? 8080 : request.containerPort();
        String health = request.healthPath() == null ? "/healthz" : request.healthPath();
        claims.lock();
        if (apps.existsById(request.name())) {
            throw ApiException.conflict("an app named '" + request.name() + "' already exists");
        }
        String defaultHost = hostPolicy.defaultHost(request.name());
        if (claims.matching(defaultHost).stream().anyMatch(claim -> !claim.app().equals(request.name()))) {
            throw ApiException.conflict("the name '" + request.name() + "' cannot be used: its default host '"
                    + defaultHost + "' is claimed by another app");
        }
        for (HostName host : hosts) {
            if (!claims.overlapping(host).isEmpty()) {
                throw ApiException.conflict("host '" + host + "' is taken"
                        + (host.wildcard() ? " or overlaps a host another app has claimed" : ""));
            }
            String owner = hostPolicy.defaultHostOwner(host).orElse(request.name());
            if (!owner.equals(request.name()) && apps.existsById(owner)) {
                throw ApiException.conflict("host '" + host + "' is taken: it is the default host of another app");
            }
        }
        try {
            App app = apps.save(App.create(request.name(), hosts.stream().map(HostName::name).toList(), port, health,
                    clock.instant(), team).withStopGraceSeconds(request.stopGraceSeconds() == null ? 0
                            : request.stopGraceSeconds()));
            claims.claim(app.name(), hosts);
            formations.save(Formation.empty(app.name()));
            return view(app);
        } catch (DuplicateKeyException e) {
            // the lock makes this unreachable unless a writer skips it; the keys still decide
            throw ApiException.conflict("the app name or one of its hosts is taken");
        }
    }

    private List<HostName> checkHosts(String app, List<String> requested) {
        if (requested == null) {
            return List.of();
        }
        Set<HostName> hosts = new LinkedHashSet<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            try {
                hosts.add(hostPolicy.check(requested.get(i)));
            } catch (HostPolicy.InvalidHostException e) {
                errors.add("hosts[" + i + "]: " + ApiException.quote(requested.get(i)) + " " + e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return List.copyOf(hosts);
    }

    /** The team a new app goes to: the one asked for, which the caller must be in, or the caller's only one. */
    private static String owningTeam(String requested, AtollUser caller) {
        if (requested != null) {
            String team = AtollUser.team(requested);
            if (!caller.admin() && !caller.isMemberOf(team)) {
                throw new ApiException(HttpStatus.FORBIDDEN, "Forbidden", "you are not a member of team "
                        + ApiException.quote(team));
            }
            return team;
        }
        if (caller.teams().size() == 1) {
            return caller.teams().iterator().next();
        }
        if (caller.admin()) {
            return null; // an app only admins manage, until it is given to a team
        }
        if (caller.teams().isEmpty()) {
            throw new ApiException(HttpStatus.FORBIDDEN, "Forbidden",
                    "you are in no team, so you cannot own an app: ask an admin to add you to a team's LDAP group");
        }
        throw ApiException.invalid(List.of("team: say which of your teams owns the app: "
                + String.join(", ", caller.teams().stream().sorted().toList())));
    }

    public App require(String name) {
        return apps.findById(name).orElseThrow(() -> ApiException.notFound("App", name));
    }

    /** The apps the caller may manage: their teams' apps, or every app for an admin. */
    List<AppView> list(AtollUser caller) {
        return apps.findAll().stream().filter(app -> caller.canManage(app.team())).map(this::view).toList();
    }

    public AppView view(App app) {
        Formation formation = formations.findById(app.name()).orElse(Formation.empty(app.name()));
        AppView.CurrentRelease current = formation.releaseId() == null ? null
                : releases.findById(formation.releaseId()).map(AppService::currentRelease).orElse(null);
        return new AppView(app.name(), app.team(), app.hostList(), app.containerPort(), app.healthPath(), app.createdAt(), current,
                formation.instances(), app.deleting(), app.dependencyList(),
                app.stopGraceSeconds() > 0 ? app.stopGraceSeconds() : null, app.routeFilterList());
    }

    private static AppView.CurrentRelease currentRelease(Release release) {
        return new AppView.CurrentRelease(release.id(), release.number(), release.label(), release.image(),
                release.pinnedImage());
    }

    /** Changes the settings that reach running instances without a release; their assignments follow. */
    @Transactional
    public AppView update(String name, UpdateAppRequest request, AtollUser caller) {
        App app = require(name);
        if (request.team() != null) {
            app = app.withTeam(owningTeam(request.team(), caller));
        }
        if (request.stopGraceSeconds() != null) {
            app = app.withStopGraceSeconds(request.stopGraceSeconds());
        }
        if (request.routeFilters() != null) {
            List<String> problems = routeFilters.problems("routeFilters", request.routeFilters());
            if (!problems.isEmpty()) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "Invalid route filters", String.join("; ", problems),
                        problems);
            }
            app = app.withRouteFilters(JsonCodec.shared().encodeToString(request.routeFilters()));
        }
        App saved = apps.save(app);
        nudges.nudge(name);
        return view(saved);
    }

    /**
     * Marks the app for deletion: the controllers drain and remove its instances, then its route
     * and its rows. A deploy in progress is stopped where it is.
     */
    @Transactional
    public AppView delete(String name) {
        App app = require(name);
        if (!app.deleting()) {
            app = apps.save(app.markDeleting());
        }
        nudges.nudge(name);
        return view(app);
    }
}
