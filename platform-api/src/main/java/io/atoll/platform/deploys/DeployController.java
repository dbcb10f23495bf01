package io.atoll.platform.deploys;

import io.atoll.platform.web.Authors;
import jakarta.validation.Valid;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping("/api/v1/apps/{app}/deploys")
class DeployController {

    /** How often a stream looks for new steps; the deploy controller writes them as they happen. */
    private static final Duration POLL = Duration.ofMillis(200);
    /** The steps that end a deploy: a stream ends once it has sent one of them. */
    private static final Set<String> LAST_STEPS = Set.of("succeeded", "rolled-back", "failed", "aborted");
    /**
     * A finished deploy whose last step a stream has not seen (a client that resumed past it) ends
     * the stream this long after it finished: the deploy's row is saved a moment before its last step.
     */
    private static final Duration LAST_STEP_GRACE = Duration.ofSeconds(2);

    private final DeployService deploys;
    private final TaskScheduler scheduler;

    DeployController(DeployService deploys, TaskScheduler scheduler) {
        this.deploys = deploys;
        this.scheduler = scheduler;
    }

    /** Accepted at once; the deploy controller rolls it out, and the deploy is polled or streamed. */
    @PostMapping
    ResponseEntity<DeployView> start(@PathVariable String app, @Valid @RequestBody DeployRequest request,
            Authentication who) {
        DeployView deploy = deploys.start(app, request, Authors.of(who));
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/apps/" + app + "/deploys/" + deploy.id()))
                .body(deploy);
    }

    @GetMapping
    List<DeployView> list(@PathVariable String app) {
        return deploys.list(app);
    }

    @GetMapping("/{id}")
    DeployView get(@PathVariable String app, @PathVariable String id) {
        return deploys.get(app, id);
    }

    /** A canary waiting at CANARY rolls on to every instance. */
    @PostMapping("/{id}/promote")
    DeployView promote(@PathVariable String app, @PathVariable String id, Authentication who) {
        return deploys.promote(app, id, Authors.of(who));
    }

    /** A canary, or a deploy still rolling out, is rolled back. */
    @PostMapping("/{id}/abort")
    DeployView abort(@PathVariable String app, @PathVariable String id, Authentication who) {
        return deploys.abort(app, id, Authors.of(who));
    }

    /**
     * The deploy's steps as server-sent events (event name = the step's kind, id = its sequence),
     * from the first or after {@code Last-Event-ID}; the stream ends after the deploy's last step.
     * Finished alone is not enough: the row of a finished deploy is committed just before its last
     * step is, and a look in between would end the stream without that step.
     */
    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable String app, @PathVariable String id,
            @org.springframework.web.bind.annotation.RequestHeader(name = "Last-Event-ID", required = false)
            String lastEventId) {
        deploys.require(app, id);
        SseEmitter emitter = new SseEmitter(Duration.ofMinutes(30).toMillis());
        AtomicLong after = new AtomicLong(parse(lastEventId));
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        AtomicReference<String> lastKind = new AtomicReference<>();
        Runnable poll = () -> {
            try {
                for (DeployEvent event : deploys.eventsAfter(id, after.get())) {
                    emitter.send(SseEmitter.event().id(Long.toString(event.id())).name(event.kind())
                            .data(DeployView.Event.of(event), MediaType.APPLICATION_JSON));
                    after.set(event.id());
                    lastKind.set(event.kind());
                }
                Deploy deploy = deploys.require(app, id);
                if (deploy.status().finished() && (LAST_STEPS.contains(lastKind.get()) || deploy.finishedAt() == null
                        || deploy.finishedAt().plus(LAST_STEP_GRACE).isBefore(Instant.now()))
                        && deploys.eventsAfter(id, after.get()).isEmpty()) {
                    emitter.complete();
                    cancel(task);
                }
            } catch (IOException | RuntimeException e) {
                // The client went away, or the deploy vanished with its app.
                emitter.completeWithError(e);
                cancel(task);
            }
        };
        emitter.onCompletion(() -> cancel(task));
        emitter.onTimeout(() -> cancel(task));
        task.set(scheduler.scheduleWithFixedDelay(poll, POLL));
        return emitter;
    }

    private static void cancel(AtomicReference<ScheduledFuture<?>> task) {
        ScheduledFuture<?> running = task.get();
        if (running != null) {
            running.cancel(false);
        }
    }

    private static long parse(String lastEventId) {
        if (lastEventId == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(lastEventId.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
