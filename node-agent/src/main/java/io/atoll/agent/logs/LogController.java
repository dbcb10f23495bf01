package io.atoll.agent.logs;

import io.atoll.logs.LogSince;
import io.atoll.logs.LogSink;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/logs?app=&instance=&tail=&follow=&since=}: the stdout and stderr of this
 * node's instances, each line tagged with app, instance, node and stream, as server-sent events
 * (default), NDJSON ({@code Accept: application/x-ndjson}, what platform-api reads) or plain text
 * ({@code Accept: text/plain}). An instance whose container is gone is answered from the lines the
 * agent kept of it. Bad input is a 400 problem, an instance this node knows nothing of a 404.
 */
@RestController
class LogController {

    /** App names as platform-api makes them; instance ids as it makes them, with some room. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final LogStreams streams;
    private final LogProperties properties;

    LogController(LogStreams streams, LogProperties properties) {
        this.streams = streams;
        this.properties = properties;
    }

    @GetMapping("/api/v1/logs")
    ResponseEntity<?> logs(@RequestParam(required = false) String app, @RequestParam(required = false) String instance,
            @RequestParam(required = false) String tail, @RequestParam(required = false) String follow,
            @RequestParam(required = false) String since,
            @RequestHeader(name = HttpHeaders.ACCEPT, required = false) String accept) {
        if (app == null && instance == null) {
            return problem(HttpStatus.BAD_REQUEST, "app or instance is required");
        }
        if ((app != null && !NAME.matcher(app).matches()) || (instance != null && !NAME.matcher(instance).matches())) {
            return problem(HttpStatus.BAD_REQUEST, "app and instance are names of letters, digits, '.', '_' and '-'");
        }
        Integer lines;
        try {
            lines = tail == null ? null : Integer.valueOf(tail);
        } catch (NumberFormatException e) {
            return problem(HttpStatus.BAD_REQUEST, "tail must be a whole number from 0 to " + properties.maxTail());
        }
        if (lines != null && (lines < 0 || lines > properties.maxTail())) {
            return problem(HttpStatus.BAD_REQUEST, "tail must be a whole number from 0 to " + properties.maxTail());
        }
        if (follow != null && !follow.equals("true") && !follow.equals("false")) {
            return problem(HttpStatus.BAD_REQUEST, "follow must be true or false");
        }
        Instant from;
        try {
            from = LogSince.parse(since == null || since.isEmpty() ? null : since);
        } catch (IllegalArgumentException e) {
            return problem(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        // No tail means all of a container's lines, bounded like any tail.
        LogQuery query = new LogQuery(app, instance, lines == null ? properties.maxTail() : lines, from,
                "true".equals(follow));
        if (instance != null && !streams.hasInstance(query)) {
            return problem(HttpStatus.NOT_FOUND, "this node has no container and no kept lines of instance " + instance);
        }
        LogSink sink = LogSink.forAccept(accept, query.follow() ? properties.maxFollow() : Duration.ofMinutes(5));
        LogSession session = streams.open(query, sink);
        if (session == null) {
            return problem(HttpStatus.SERVICE_UNAVAILABLE, "too many log streams open on this node; retry shortly");
        }
        session.start();
        return ResponseEntity.ok()
                .contentType(sink.contentType())
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                // Not to be buffered by a proxy on the way: a followed line is worth something only at once.
                .header("X-Accel-Buffering", "no")
                .body(sink.emitter());
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(ProblemDetail.forStatusAndDetail(status, detail));
    }
}
