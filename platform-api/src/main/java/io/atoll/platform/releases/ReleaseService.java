package io.atoll.platform.releases;

import io.atoll.platform.apps.App;
import io.atoll.platform.formation.Formation;
import io.atoll.platform.formation.FormationRepository;
import io.atoll.platform.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/**
 * Writes the release ledger: every deploy, rollback, config change and scale is a new release
 * v(N+1), never an edit of an old one (Deis-style: a rollback is itself a release).
 */
@Service
public class ReleaseService {

    /** What a new release takes from the request; the rest comes from the release it follows. */
    public record Draft(String image, String pinnedImage, ConfigVars config, long memoryMb, long cpuShares,
            int containerPort, String healthPath, String cause, String causeDetail, String author) {
    }

    private final ReleaseRepository releases;
    private final FormationRepository formations;
    private final Clock clock = Clock.systemUTC();

    ReleaseService(ReleaseRepository releases, FormationRepository formations) {
        this.releases = releases;
        this.formations = formations;
    }

    /** The newest release of the app (the head of its ledger), if any. */
    public java.util.Optional<Release> latest(String app) {
        return releases.findLatest(app);
    }

    public java.util.Optional<Release> find(String id) {
        return id == null ? java.util.Optional.empty() : releases.findById(id);
    }

    /** The release the app serves, per its formation. */
    public java.util.Optional<Release> serving(String app) {
        return formations.findById(app).map(Formation::releaseId).flatMap(this::find);
    }

    /** A new release for a deploy of a freshly pinned image: config and resources of the ledger's head. */
    public Release forImage(App app, String image, String pinnedImage, Long memoryMb, long defaultMemoryMb,
            long defaultCpuShares, String author) {
        Release head = latest(app.name()).orElse(null);
        ConfigVars config = head == null ? ConfigVars.empty() : head.configVars();
        long memory = memoryMb != null ? memoryMb : head != null ? head.memoryMb() : defaultMemoryMb;
        long cpu = head != null ? head.cpuShares() : defaultCpuShares;
        return create(app.name(), new Draft(image, pinnedImage, config, memory, cpu, app.containerPort(),
                app.healthPath(), "deploy", null, author));
    }

    /** vN+1 with the image and config of an earlier release. */
    public Release rollback(App app, Release target, String author) {
        return create(app.name(), new Draft(target.image(), target.pinnedImage(), target.configVars(),
                target.memoryMb(), target.cpuShares(), target.containerPort(), target.healthPath(), "rollback",
                "rollback to " + target.label(), author));
    }

    /** vN+1 with new config vars on the head's image (or no image yet). */
    public Release config(App app, ConfigVars config, String changed, String author) {
        Release head = latest(app.name()).orElse(null);
        return create(app.name(), new Draft(head == null ? "" : head.image(), head == null ? "" : head.pinnedImage(),
                config, head == null ? 256 : head.memoryMb(), head == null ? 256 : head.cpuShares(),
                app.containerPort(), app.healthPath(), "config", changed, author));
    }

    /** vN+1, the same spec as the serving release: a scale appears in the ledger, and restarts nothing. */
    public Release scale(App app, Release serving, int instances, String author) {
        return create(app.name(), new Draft(serving.image(), serving.pinnedImage(), serving.configVars(),
                serving.memoryMb(), serving.cpuShares(), serving.containerPort(), serving.healthPath(), "scale",
                "scale to " + instances, author));
    }

    private Release create(String app, Draft draft) {
        String spec = spec(draft);
        // Two writers of one app's ledger race for the same number: the unique key decides, the loser retries.
        for (int attempt = 0; ; attempt++) {
            int number = releases.maxNumber(app) + 1;
            String id = Release.idOf(app, number);
            String runs = releases.findFirstWithSpec(app, spec).map(Release::runs).orElse(id);
            Release release = new Release(id, app, number, draft.image(), draft.pinnedImage(),
                    draft.config().toJson(), draft.memoryMb(), draft.cpuShares(), draft.containerPort(),
                    draft.healthPath(), spec, runs, draft.cause(), draft.causeDetail(), draft.author(),
                    clock.instant(), null);
            try {
                return releases.save(release);
            } catch (DuplicateKeyException e) {
                if (attempt >= 5) {
                    throw ApiException.conflict("the release ledger of app '" + app + "' is busy; try again");
                }
            }
        }
    }

    /** A digest of what an instance runs: equal specs, interchangeable instances. */
    static String spec(Draft draft) {
        StringBuilder text = new StringBuilder();
        text.append(draft.pinnedImage()).append('\n').append(draft.memoryMb()).append('\n').append(draft.cpuShares())
                .append('\n').append(draft.containerPort()).append('\n').append(draft.healthPath()).append('\n');
        Map<String, ConfigVars.Var> sorted = new TreeMap<>(draft.config().vars());
        sorted.forEach((name, var) -> text.append(name).append('=').append(var.secret()).append(':')
                .append(var.value().length()).append(':').append(var.value()).append('\n'));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
