package io.atoll.platform.deploys;

import io.atoll.platform.audit.Audit;
import io.atoll.platform.web.Authors;
import jakarta.validation.Valid;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.relational.core.mapping.event.AfterSaveEvent;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.security.core.Authentication;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping("/api/v1/apps/{app}/deploys")
class DeployController implements SmartLifecycle {

    /** The steps that end a deploy: a stream ends once it has sent one of them. */
    private static final Set<String> LAST_STEPS = Set.of("succeeded", "rolled-back", "failed", "aborted");
    /**
     * A finished deploy whose last step a stream has not seen (a client that resumed past it) ends
     * the stream this long after it finished: the deploy's row is saved a moment before its last step.
     */
    private static final Duration LAST_STEP_GRACE = Duration.ofSeconds(2);

    private final DeployService deploys;
    private final TaskScheduler scheduler;
    /**
     * How often a stream looks for new steps. A step saved on this replica (by the leader's deploy
     * controller, or by the API) is sent as soon as it is committed; the poll finds those another
     * replica saved.
     */
    private final Duration poll;
    /**
     * A stream that has sent nothing for this long gets a comment line: proxies that cut idle
     * connections (nginx after 60 s) keep it, and a client gone away is noticed.
     */
    private final Duration heartbeat;
    /** The open streams by deploy id. */
    private final Map<String, Set<EventStream>> streams = new ConcurrentHashMap<>();
    /** False once the replica is on its way down (see {@link #stop()}). */
    private volatile boolean running;

    DeployController(DeployService deploys, TaskScheduler scheduler,
            @Value("${atoll.platform.deploy.events-poll:200ms}") Duration poll,
            @Value("${atoll.platform.deploy.events-heartbeat:15s}") Duration heartbeat) {
        this.deploys = deploys;
        this.scheduler = scheduler;
        this.poll = poll;
        this.heartbeat = heartbeat;
    }

    /** Accepted at once; the deploy controller rolls it out, and the deploy is polled or streamed. */
    @PostMapping
    ResponseEntity<DeployView> start(@PathVariable String app, @Valid @RequestBody DeployRequest request,
            Authentication who) {
        DeployView deploy = deploys.start(app, request, Authors.of(who));
        Audit.detail("deploy " + deploy.id() + " of " + request.image());
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
     */
    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable String app, @PathVariable String id,
            @org.springframework.web.bind.annotation.RequestHeader(name = "Last-Event-ID", required = false)
            String lastEventId) {
        deploys.require(app, id);
        SseEmitter emitter = new SseEmitter(Duration.ofMinutes(30).toMillis());
        EventStream stream = new EventStream(app, id, emitter, parse(lastEventId));
        emitter.onCompletion(stream::close);
        emitter.onTimeout(stream::close);
        emitter.onError(error -> stream.close());
        streams.computeIfAbsent(id, key -> ConcurrentHashMap.newKeySet()).add(stream);
        if (!running) {
            // Between stop() and the web server's closing its port (checked after the stream is listed, so that
            // stop() ends it otherwise): the steps there are, then the end.
            stream.run();
            stream.end();
            return emitter;
        }
        stream.polledBy(scheduler.scheduleWithFixedDelay(stream, poll),
                scheduler.scheduleWithFixedDelay(stream::beat, heartbeat));
        return emitter;
    }

    @Override
    public void start() {
        running = true;
    }

    /**
     * Ends every open stream when the replica goes down. An open stream is an async request, and the web server's
     * graceful shutdown waits for those (30 s by default) while the scheduler that would end them has already
     * stopped; a client resumes an ended stream after its last step ({@code Last-Event-ID}), from another replica.
     */
    @Override
    public void stop() {
        running = false;
        streams.values().forEach(open -> open.forEach(EventStream::end));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * A step saved on this replica goes out to its deploy's open streams once its transaction has
     * committed (at once outside one), not at their next poll.
     */
    @TransactionalEventListener(fallbackExecution = true)
    void stepSaved(AfterSaveEvent<?> saved) {
        if (saved.getEntity() instanceof DeployEvent step) {
            Set<EventStream> open = streams.get(step.deployId());
            if (open != null) {
                Instant now = Instant.now();
                open.forEach(stream -> scheduler.schedule(stream, now));
            }
        }
    }

    /**
     * One client's stream: each run sends the steps it has not sent yet, and ends the stream after
     * the deploy's last step. Finished alone is not enough: the row of a finished deploy is committed
     * just before its last step is, and a run in between would end the stream without that step.
     */
    private final class EventStream implements Runnable {

        private final String app;
        private final String id;
        private final SseEmitter emitter;
        private long after;
        private String lastKind;
        private boolean ended;
        private Instant lastSent = Instant.now();
        private ScheduledFuture<?> poll;
        private ScheduledFuture<?> beats;

        EventStream(String app, String id, SseEmitter emitter, long after) {
            this.app = app;
            this.id = id;
            this.emitter = emitter;
            this.after = after;
        }

        /** Synchronized: the periodic run and those a saved step sets off never send a step twice or out of order. */
        @Override
        public synchronized void run() {
            if (ended) {
                return;
            }
            try {
                for (DeployEvent event : deploys.eventsAfter(id, after)) {
                    emitter.send(SseEmitter.event().id(Long.toString(event.id())).name(event.kind())
                            .data(DeployView.Event.of(event), MediaType.APPLICATION_JSON));
                    after = event.id();
                    lastKind = event.kind();
                    lastSent = Instant.now();
                }
                Deploy deploy = deploys.require(app, id);
                if (deploy.status().finished() && (LAST_STEPS.contains(lastKind) || deploy.finishedAt() == null
                        || deploy.finishedAt().plus(LAST_STEP_GRACE).isBefore(Instant.now()))
                        && deploys.eventsAfter(id, after).isEmpty()) {
                    end();
                }
            } catch (IOException | RuntimeException e) {
                // The client went away, or the deploy vanished with its app.
                ended = true;
                emitter.completeWithError(e);
                close();
            }
        }

        /** A comment line when nothing else went out for a heartbeat's time. */
        synchronized void beat() {
            if (ended || lastSent.plus(heartbeat).isAfter(Instant.now())) {
                return;
            }
            try {
                emitter.send(SseEmitter.event().comment("heartbeat"));
                lastSent = Instant.now();
            } catch (IOException | RuntimeException e) {
                ended = true; // the client went away
                emitter.completeWithError(e);
                close();
            }
        }

        /** The end of the stream, whatever the deploy's state: the client resumes after the last step sent. */
        void end() {
            synchronized (this) {
                if (!ended) {
                    ended = true;
                    emitter.complete();
                }
            }
            close();
        }

        synchronized void polledBy(ScheduledFuture<?> task, ScheduledFuture<?> heartbeats) {
            poll = task;
            beats = heartbeats;
            if (ended) {
                task.cancel(false);
                heartbeats.cancel(false);
            }
        }

        void close() {
            ScheduledFuture<?> running;
            ScheduledFuture<?> beating;
            synchronized (this) {
                running = poll;
                beating = beats;
            }
            if (running != null) {
                running.cancel(false);
            }
            if (beating != null) {
                beating.cancel(false);
            }
            streams.computeIfPresent(id, (key, open) -> {
                open.remove(this);
                return open.isEmpty() ? null : open;
            });
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
