package io.atoll.agent.logs;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
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

    /** What platform-api and Docker accept as a relative {@code since}: 90s, 10m, 2h, 1d. */
    private static final Pattern RELATIVE = Pattern.compile("([0-9]{1,9})([smhd])");
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
            from = parseSince(since);
        } catch (IllegalArgumentException e) {
            return problem(HttpStatus.BAD_REQUEST,
                    "since must be an RFC 3339 time (2026-11-30T13:05:00Z) or a duration before now (90s, 10m, 2h, 1d)");
        }
        List<MediaType> accepted;
        try {
            accepted = accept == null ? new java.util.ArrayList<>() : MediaType.parseMediaTypes(accept);
            org.springframework.util.MimeTypeUtils.sortBySpecificity(accepted);
        } catch (IllegalArgumentException e) { // InvalidMimeTypeException among others
            accepted = List.of();
        }
        // No tail means all of a container's lines, bounded like any tail.
        LogQuery query = new LogQuery(app, instance, lines == null ? properties.maxTail() : lines, from,
                "true".equals(follow));
        if (instance != null && !streams.hasInstance(query)) {
            return problem(HttpStatus.NOT_FOUND, "this node has no container and no kept lines of instance " + instance);
        }
        LogSink sink = LogSink.forAccept(accepted, query.follow() ? properties.maxFollow() : Duration.ofMinutes(5));
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
                .body(sink.emitter);
    }

    static Instant parseSince(String since) {
        if (since == null || since.isEmpty()) {
            return null;
        }
        Matcher relative = RELATIVE.matcher(since);
        if (relative.matches()) {
            long amount = Long.parseLong(relative.group(1));
            Duration unit = switch (relative.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                default -> Duration.ofDays(1);
            };
            return Instant.now().minus(unit.multipliedBy(amount));
        }
        try {
            return Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(ProblemDetail.forStatusAndDetail(status, detail));
    }
}
