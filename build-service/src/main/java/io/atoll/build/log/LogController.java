package io.atoll.build.log;

import io.atoll.build.BuildProperties;
import io.atoll.build.access.PlatformAccess;
import io.atoll.build.record.Build;
import io.atoll.build.record.BuildRepository;
import io.atoll.build.record.BuildStatus;
import io.atoll.build.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * A build's log: {@code text/plain} as it stands, or followed live as server-sent events. Each
 * line is an event {@code line} whose id is the byte offset after it, so a client that reconnects
 * with {@code Last-Event-ID} gets the rest and nothing twice; once the build has finished and its
 * last line is out, an event {@code end} carries the status and the stream closes. Both read the
 * archived copy once a finished log has moved to the {@code s3} archive, at the same offsets.
 */
@RestController
@RequestMapping("/api/v1/builds/{id}/log")
class LogController {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final int CHUNK = 64 * 1024;

    private final BuildRepository builds;
    private final BuildLogs logs;
    private final PlatformAccess access;
    private final TaskScheduler scheduler;
    private final Duration heartbeat;

    LogController(BuildRepository builds, BuildLogs logs, PlatformAccess access, TaskScheduler scheduler,
            BuildProperties properties) {
        this.builds = builds;
        this.logs = logs;
        this.access = access;
        this.scheduler = scheduler;
        this.heartbeat = properties.log().heartbeat();
    }

    /**
     * One mapping for both, chosen by {@code Accept}: a client that asks for nothing in particular
     * ({@code curl}, a browser) gets the text, and only one that asks for events gets the stream.
     */
    @GetMapping
    SseEmitter log(@PathVariable String id, @RequestHeader(name = "Last-Event-ID", required = false) String last,
            HttpServletRequest request, HttpServletResponse response) throws IOException {
        Build build = find(id, request);
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept == null || !accept.contains(MediaType.TEXT_EVENT_STREAM_VALUE)) {
            Optional<InputStream> log;
            try {
                log = build.status() == BuildStatus.QUEUED ? Optional.empty() : logs.open(build.id());
            } catch (LogArchiveException e) {
                throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Log archive unreachable",
                        "the log of this finished build is in the archive, which does not answer now; try again");
            }
            response.setContentType("text/plain;charset=UTF-8");
            try (InputStream in = log.orElse(InputStream.nullInputStream())) {
                in.transferTo(response.getOutputStream());
            }
            return null;
        }
        SseEmitter emitter = new SseEmitter(Duration.ofHours(2).toMillis());
        Follower follower = new Follower(build.id(), emitter, offset(last));
        emitter.onCompletion(follower::close);
        emitter.onTimeout(follower::close);
        emitter.onError(error -> follower.close());
        follower.polledBy(scheduler.scheduleWithFixedDelay(follower, Instant.now(), POLL));
        return emitter;
    }

    private Build find(String id, HttpServletRequest request) {
        try {
            UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no such build");
        }
        Build build = builds.findById(id).orElseThrow(() -> ApiException.notFound("no such build"));
        access.requireApp(request, build.app());
        return build;
    }

    private static long offset(String lastEventId) {
        if (lastEventId == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(lastEventId.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** One client: each run sends the lines written since the last, and ends the stream after the build's last. */
    private final class Follower implements Runnable {

        private final String buildId;
        private final SseEmitter emitter;
        private long offset;
        private boolean ended;
        private Instant lastSent = Instant.now();
        private ScheduledFuture<?> poll;

        Follower(String buildId, SseEmitter emitter, long offset) {
            this.buildId = buildId;
            this.emitter = emitter;
            this.offset = offset;
        }

        @Override
        public synchronized void run() {
            if (ended) {
                return;
            }
            try {
                // read the status first: a finished build's log is complete before its record says so
                BuildStatus status = builds.findById(buildId).map(Build::status).orElse(BuildStatus.FAILED);
                boolean complete = status.isFinal();
                try {
                    // a queued build has no log yet: nothing to read, on disk or in the archive
                    if (status != BuildStatus.QUEUED) {
                        sendLinesFromOffset();
                    }
                } catch (LogArchiveException e) {
                    // the archive does not answer now: the next poll tries again, heartbeats keep the stream open
                    complete = false;
                }
                if (complete) {
                    ended = true;
                    emitter.send(SseEmitter.event().name("end").data(Map.of("status", status.name()),
                            MediaType.APPLICATION_JSON));
                    emitter.complete();
                    close();
                } else if (lastSent.plus(heartbeat).isBefore(Instant.now())) {
                    emitter.send(SseEmitter.event().comment("heartbeat"));
                    lastSent = Instant.now();
                }
            } catch (IOException | RuntimeException e) {
                // the client went away
                ended = true;
                emitter.completeWithError(e);
                close();
            }
        }

        private void sendLinesFromOffset() throws IOException {
            BuildLogs.Chunk chunk;
            while (!(chunk = logs.read(buildId, offset, CHUNK)).lines().isEmpty()) {
                long at = offset;
                for (int i = 0; i < chunk.lines().size(); i++) {
                    String line = chunk.lines().get(i);
                    at = i == chunk.lines().size() - 1 ? chunk.next() : at + line.getBytes(StandardCharsets.UTF_8).length + 1;
                    emitter.send(SseEmitter.event().id(Long.toString(at)).name("line").data(line));
                }
                offset = chunk.next();
                lastSent = Instant.now();
            }
        }

        synchronized void polledBy(ScheduledFuture<?> task) {
            poll = task;
            if (ended) {
                task.cancel(false);
            }
        }

        synchronized void close() {
            ended = true;
            if (poll != null) {
                poll.cancel(false);
            }
        }
    }
}
