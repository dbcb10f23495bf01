package io.atoll.platform.apps;

import io.atoll.platform.deploys.Release;
import io.atoll.platform.deploys.ReleaseRepository;
import io.atoll.platform.web.ApiException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

@Service
public class AppService {

    private final AppRepository apps;
    private final ReleaseRepository releases;
    private final Clock clock;

    AppService(AppRepository apps, ReleaseRepository releases) {
        this.apps = apps;
        this.releases = releases;
        this.clock = Clock.systemUTC();
    }

    AppView create(CreateAppRequest request) {
        List<String> hosts = new ArrayList<>();
        if (request.hosts() != null) {
            request.hosts().stream().map(h -> h.toLowerCase(Locale.ROOT)).distinct().forEach(hosts::add);
        }
        int port = request.containerPort() == null ? 8080 : request.containerPort();
        String health = request.healthPath() == null ? "/healthz" : request.healthPath();
        if (apps.existsById(request.name())) {
            throw ApiException.conflict("an app named '" + request.name() + "' already exists");
        }
        try {
            return view(apps.save(App.create(request.name(), hosts, port, health, clock.instant())));
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("an app named '" + request.name() + "' already exists");
        }
    }

    public App require(String name) {
        return apps.findById(name).orElseThrow(() -> ApiException.notFound("App", name));
    }

    List<AppView> list() {
        return apps.findAll().stream().map(this::view).toList();
    }

    AppView view(App app) {
        AppView.CurrentRelease current = releases.findCurrent(app.name())
                .map(AppService::currentRelease)
                .orElse(null);
        return new AppView(app.name(), app.hostList(), app.containerPort(), app.healthPath(), app.createdAt(), current);
    }

    private static AppView.CurrentRelease currentRelease(Release release) {
        return new AppView.CurrentRelease(release.id(), release.number(), release.image(), release.pinnedImage());
    }
}
