package io.atoll.platform.deploys;

import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.Resources;
import io.atoll.platform.apps.App;
import io.atoll.platform.apps.AppService;
import io.atoll.platform.instances.ClusterState;
import io.atoll.platform.instances.DesiredInstance;
import io.atoll.platform.instances.DesiredInstanceRepository;
import io.atoll.platform.instances.DesiredStateWriter;
import io.atoll.platform.placement.Placer;
import io.atoll.platform.registry.ImagePolicy;
import io.atoll.platform.registry.RegistryClient;
import io.atoll.platform.web.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.stereotype.Service;

/**
 * Rolling deploy of DESIGN §5: pin the image, record a release, start the new instances, wait
 * until they are all HEALTHY, then drain and remove the old ones. If the new instances do not
 * become healthy in time they are removed and the old release keeps serving; the deploy records
 * why.
 */
@Service
public class DeployService {

    private static final Logger log = LoggerFactory.getLogger(DeployService.class);

    private final AppService apps;
    private final DeployRepository deploys;
    private final ReleaseRepository releases;
    private final DesiredInstanceRepository desired;
    private final DesiredStateWriter writer;
    private final ClusterState cluster;
    private final RegistryClient registry;
    private final ImagePolicy images;
    private final DeployProperties properties;
    private final AsyncTaskExecutor executor;
    private final MeterRegistry meters;
    private final Clock clock = Clock.systemUTC();

    DeployService(AppService apps, DeployRepository deploys, ReleaseRepository releases,
            DesiredInstanceRepository desired, DesiredStateWriter writer, ClusterState cluster,
            RegistryClient registry, ImagePolicy images, DeployProperties properties,
            @Qualifier("applicationTaskExecutor") AsyncTaskExecutor executor, MeterRegistry meters) {
        this.apps = apps;
        this.deploys = deploys;
        this.releases = releases;
        this.desired = desired;
        this.writer = writer;
        this.cluster = cluster;
        this.registry = registry;
        this.images = images;
        this.properties = properties;
        this.executor = executor;
        this.meters = meters;
    }

    public synchronized DeployView start(String appName, DeployRequest request) {
        App app = apps.require(appName);
        try {
            // before anything connects anywhere: a refused image never reaches the registry client
            images.check(request.image());
        } catch (ImagePolicy.InvalidImageException e) {
            throw ApiException.invalid(List.of("image: " + ApiException.quote(request.image()) + " " + e.getMessage()));
        }
        if (!deploys.findUnfinished(appName).isEmpty()) {
            throw ApiException.conflict("app '" + appName + "' already has a deploy in progress");
        }
        Instant now = clock.instant();
        int instances = request.instances() == null ? 1 : request.instances();
        Deploy deploy = deploys.save(new Deploy(UUID.randomUUID().toString(), app.name(), request.image(),
                instances, null, DeployStatus.PENDING, null, now, now, null));
        long memory = request.memoryMb() == null ? properties.defaultMemoryMb() : request.memoryMb();
        executor.execute(() -> run(deploy.id(), memory));
        return DeployView.of(deploy);
    }

    public DeployView get(String appName, String id) {
        apps.require(appName);
        return deploys.findById(id)
                .filter(deploy -> deploy.app().equals(appName))
                .map(DeployView::of)
                .orElseThrow(() -> ApiException.notFound("Deploy", id));
    }

    public List<DeployView> list(String appName) {
        apps.require(appName);
        return deploys.findByApp(appName).stream().map(DeployView::of).toList();
    }

    /**
     * A deploy cut short by a restart cannot be resumed safely from here: it is failed, and the
     * instances it had started are removed unless they are all the app has.
     */
    @EventListener(ApplicationReadyEvent.class)
    void failInterrupted() {
        for (Deploy deploy : deploys.findUnfinished()) {
            log.warn("Deploy {} of {} was interrupted by a restart; marking it FAILED", deploy.id(), deploy.app());
            if (deploy.releaseId() != null) {
                List<DesiredInstance> started = desired.findByReleaseId(deploy.releaseId());
                List<DesiredInstance> all = desired.findByApp(deploy.app());
                if (started.size() < all.size()) {
                    try {
                        writer.remove(started);
                    } catch (Exception e) {
                        log.warn("Could not remove instances of interrupted deploy {}", deploy.id(), e);
                    }
                }
            }
            deploys.save(deploy.withStatus(DeployStatus.FAILED,
                    "interrupted by a platform-api restart; the previous release keeps serving", clock.instant()));
        }
    }

    private void run(String deployId, long memoryMb) {
        Deploy deploy = deploys.findById(deployId).orElseThrow();
        deploy = deploys.save(deploy.withStatus(DeployStatus.RUNNING, null, clock.instant()));
        List<DesiredInstance> fresh = List.of();
        try {
            App app = apps.require(deploy.app());
            String pinned = registry.pin(deploy.image());
            Release release = releases.save(Release.create(app.name(), releases.maxNumber(app.name()) + 1,
                    deploy.image(), pinned, clock.instant()));
            deploy = deploys.save(deploy.withRelease(release.id(), clock.instant()));
            log.info("Deploy {}: {} {} pinned to {}", deploy.id(), app.name(), release.id(), pinned);

            // everything the app runs now, including leftovers of an earlier interrupted retirement
            List<DesiredInstance> old = desired.findByApp(app.name());
            fresh = place(app, release, deploy.instances(), memoryMb);
            writer.add(app, release, fresh);
            writer.writeRoute(app);
            awaitHealthy(app, fresh);

            deploy = deploys.save(deploy.withStatus(DeployStatus.SUCCEEDED, null, clock.instant()));
            meters.counter("atoll.platform.deploys", "outcome", "succeeded").increment();
            log.info("Deploy {}: {} instances of {} healthy; draining {} old", deploy.id(), fresh.size(),
                    release.id(), old.size());
            fresh = List.of();
            retire(app, old);
        } catch (DeployFailedException | RegistryClient.ImageNotFoundException e) {
            fail(deploy, fresh, e.getMessage());
        } catch (Exception e) {
            log.error("Deploy {} failed unexpectedly", deployId, e);
            fail(deploy, fresh, "internal error; see the platform-api log");
        }
    }

    private void fail(Deploy deploy, List<DesiredInstance> fresh, String reason) {
        if (deploy.status() == DeployStatus.SUCCEEDED) {
            // the new release serves already; only the clean-up of the old one went wrong
            log.warn("Deploy {} of {}: retiring the old instances failed ({}); the next deploy retires them",
                    deploy.id(), deploy.app(), reason);
            return;
        }
        log.warn("Deploy {} of {} failed: {}", deploy.id(), deploy.app(), reason);
        try {
            writer.remove(fresh);
        } catch (Exception e) {
            log.warn("Could not remove the instances of failed deploy {}; the sync pass will", deploy.id(), e);
        }
        meters.counter("atoll.platform.deploys", "outcome", "failed").increment();
        deploys.save(deploy.withStatus(DeployStatus.FAILED, reason, clock.instant()));
    }

    private List<DesiredInstance> place(App app, Release release, int count, long memoryMb) {
        Resources each = new Resources(memoryMb, properties.defaultCpuShares(), 1);
        List<Placer.Placed> existing = desired.findAll().stream()
                .map(i -> new Placer.Placed(i.nodeId(), i.app(), new Resources(i.memoryMb(), i.cpuShares(), 1)))
                .toList();
        List<String> nodes = Placer.place(app.name(), count, each, cluster.liveNodes(), existing)
                .orElseThrow(() -> new DeployFailedException("no room for " + count + " instance(s) of "
                        + memoryMb + " MB: " + cluster.liveNodes().size() + " live node(s)"));
        List<DesiredInstance> placed = new ArrayList<>();
        for (String nodeId : nodes) {
            String id = release.id() + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
            placed.add(new DesiredInstance(id, app.name(), release.id(), nodeId, each.memoryMb(), each.cpuShares(),
                    false, clock.instant(), null));
        }
        return placed;
    }

    private void awaitHealthy(App app, List<DesiredInstance> fresh) throws InterruptedException {
        Instant deadline = clock.instant().plus(properties.healthyTimeout());
        while (true) {
            List<InstanceStatus> statuses = fresh.stream()
                    .map(instance -> cluster.instance(app.name(), instance.instanceId()))
                    .toList();
            if (statuses.stream().allMatch(s -> s != null && s.state() == InstanceState.HEALTHY)) {
                return;
            }
            for (InstanceStatus status : statuses) {
                if (status != null && status.state() == InstanceState.CRASHLOOP) {
                    throw new DeployFailedException("instance " + status.instanceId() + " is crash-looping");
                }
            }
            if (clock.instant().isAfter(deadline)) {
                String states = fresh.stream()
                        .map(instance -> {
                            InstanceStatus s = cluster.instance(app.name(), instance.instanceId());
                            return instance.instanceId() + "=" + (s == null ? "not started" : s.state());
                        })
                        .collect(Collectors.joining(", "));
                throw new DeployFailedException("instances not healthy within " + properties.healthyTimeout().toSeconds()
                        + "s (" + states + "); health path " + app.healthPath());
            }
            Thread.sleep(200);
        }
    }

    /** Drains the old instances, waits for their agents to let go, then removes them. */
    private void retire(App app, List<DesiredInstance> old) throws Exception {
        if (old.isEmpty()) {
            return;
        }
        writer.drain(app, old);
        Instant deadline = clock.instant().plus(properties.drainTimeout());
        while (clock.instant().isBefore(deadline)
                && old.stream().map(i -> cluster.instance(app.name(), i.instanceId())).anyMatch(Objects::nonNull)) {
            Thread.sleep(250);
        }
        writer.remove(old);
    }

    static class DeployFailedException extends RuntimeException {
        DeployFailedException(String message) {
            super(message);
        }
    }
}
