package io.atoll.build.web;

import io.atoll.build.access.PlatformAccess;
import io.atoll.build.queue.BuildQueue;
import io.atoll.build.queue.NewBuild;
import io.atoll.build.record.Build;
import io.atoll.build.record.BuildRepository;
import io.atoll.build.record.BuildStepRepository;
import io.atoll.build.source.SourceException;
import io.atoll.build.source.TarballSource;
import io.atoll.build.source.Uploads;
import io.atoll.build.source.Workspace;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@RestController
@RequestMapping("/api/v1")
class BuildController {

    private static final int LIST_LIMIT = 100;
    private static final int MAX_TRIGGER_BODY = 16 * 1024;

    private final BuildRepository builds;
    private final BuildStepRepository steps;
    private final BuildQueue queue;
    private final JsonMapper json;
    private final PlatformAccess access;
    private final Uploads uploads;
    private final TarballSource tarballs;

    BuildController(BuildRepository builds, BuildStepRepository steps, BuildQueue queue, JsonMapper json,
            PlatformAccess access, Uploads uploads, TarballSource tarballs) {
        this.uploads = uploads;
        this.tarballs = tarballs;
        this.access = access;
        this.builds = builds;
        this.steps = steps;
        this.queue = queue;
        this.json = json;
    }

    /** The most recent builds (100), of one app or of all the caller may manage. */
    @GetMapping("/builds")
    List<BuildView> list(@RequestParam(required = false) String app, HttpServletRequest request) {
        if (app != null) {
            access.requireApp(request, Names.app(app));
            return builds.findRecentByApp(app, LIST_LIMIT).stream().map(b -> BuildView.of(b, List.of())).toList();
        }
        Set<String> allowed = access.manageable(request);
        return builds.findRecent(LIST_LIMIT).stream().filter(b -> allowed == null || allowed.contains(b.app()))
                .map(b -> BuildView.of(b, List.of())).toList();
    }

    @GetMapping("/builds/{id}")
    BuildView get(@PathVariable String id, HttpServletRequest request) {
        Build build = find(id);
        access.requireApp(request, build.app());
        return view(build);
    }

    private BuildView view(Build build) {
        return BuildView.of(build, steps.findByBuild(build.id()));
    }

    @PostMapping("/builds/{id}/cancel")
    ResponseEntity<BuildView> cancel(@PathVariable String id, HttpServletRequest request) {
        Build build = find(id);
        access.requireApp(request, build.app());
        return switch (queue.cancel(build.id())) {
            case CANCELLED -> ResponseEntity.ok(view(find(id)));
            case INTERRUPTING -> ResponseEntity.accepted().body(view(find(id)));
            case ALREADY_FINISHED -> throw new ApiException(HttpStatus.CONFLICT, "Build already finished",
                    "the build is " + find(id).status() + "; only a queued or running build can be cancelled");
            case UNKNOWN -> throw ApiException.notFound("no such build");
        };
    }

    /**
     * A manual build: {@code {"repository": "...", "ref": "main"}}, or the source itself as a
     * {@code .tar.gz} body ({@code Content-Type: application/gzip}).
     */
    @PostMapping("/apps/{app}/builds")
    ResponseEntity<BuildView> trigger(@PathVariable String app, HttpServletRequest request) throws IOException {
        Names.app(app);
        PlatformAccess.Caller caller = access.requireApp(request, app);
        if (isTarball(request.getContentType())) {
            return created(upload(app, caller, request));
        }
        JsonNode body = Bodies.jsonObject(request, Bodies.read(request, MAX_TRIGGER_BODY), json);
        String repository = Names.repository(Bodies.text(body, "/repository"));
        String ref = Names.ref(Bodies.text(body, "/ref"));
        return created(queue.enqueue(new NewBuild(app, repository, ref, null, "manual", caller.name(), null), () -> { }));
    }

    private ResponseEntity<BuildView> created(Build build) {
        return ResponseEntity.created(URI.create("/api/v1/builds/" + build.id())).body(view(find(build.id())));
    }

    private static boolean isTarball(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return type.equals("application/gzip") || type.equals("application/x-gzip")
                || type.equals("application/x-tar+gzip") || type.equals("application/x-compressed-tar");
    }

    /**
     * Stores the tarball, then unpacks it once to refuse a hostile or oversized one at once (400,
     * 413) rather than at the build's first step; the build unpacks the stored copy again.
     */
    private Build upload(String app, PlatformAccess.Caller caller, HttpServletRequest request) throws IOException {
        String reference;
        String revision;
        try {
            reference = uploads.store(request.getInputStream());
        } catch (SourceException e) {
            throw new ApiException(HttpStatus.valueOf(e.status()), "Upload refused", e.getMessage());
        }
        try (InputStream stored = uploads.open(reference); Workspace checked = tarballs.extract(stored)) {
            revision = checked.commit();
        } catch (SourceException e) {
            uploads.delete(reference);
            throw new ApiException(HttpStatus.valueOf(e.status()), "Upload refused", e.getMessage());
        }
        return queue.enqueue(new NewBuild(app, "upload", reference, "upload", revision, "manual", caller.name(), null),
                () -> { });
    }

    private Build find(String id) {
        // the path's text is not echoed back
        try {
            UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no such build");
        }
        return builds.findById(id).orElseThrow(() -> ApiException.notFound("no such build"));
    }
}
