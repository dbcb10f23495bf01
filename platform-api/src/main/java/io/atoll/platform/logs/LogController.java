package io.atoll.platform.logs;

import io.atoll.platform.web.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MimeTypeUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

/**
 * {@code GET /api/v1/apps/{app}/logs?tail=N&follow=true&instance=…&since=…}: the app's stdout and
 * stderr from every node, as server-sent events (the event named after the stream, the data a JSON
 * {@code LogLine}), or plain text with {@code Accept: text/plain}, or NDJSON. A read like the
 * others (see ApiSecurityConfiguration).
 */
@RestController
class LogController {

    /** A duration before now, as Docker and kubectl take it: 90s, 10m, 2h, 1d. */
    private static final Pattern RELATIVE = Pattern.compile("([0-9]{1,9})([smhd])");
    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final AppLogs logs;
    private final LogProperties properties;

    LogController(AppLogs logs, LogProperties properties) {
        this.logs = logs;
        this.properties = properties;
    }

    @GetMapping("/api/v1/apps/{app}/logs")
    ResponseEntity<ResponseBodyEmitter> logs(@PathVariable String app, @RequestParam(required = false) String tail,
            @RequestParam(required = false) String follow, @RequestParam(required = false) String instance,
            @RequestParam(required = false) String since,
            @RequestHeader(name = HttpHeaders.ACCEPT, required = false) String accept) {
        int lines = parseTail(tail);
        if (follow != null && !follow.equals("true") && !follow.equals("false")) {
            throw ApiException.badRequest("follow must be true or false");
        }
        Instant from = parseSince(since);
        if (instance != null && !INSTANCE.matcher(instance).matches()) {
            throw ApiException.notFound("Instance", instance);
        }
        boolean followed = "true".equals(follow);
        LogSink sink = LogSink.forAccept(accepted(accept), followed ? properties.maxFollow() : Duration.ofMinutes(5));
        logs.open(new LogQuery(app, instance, lines, from, followed), sink);
        return ResponseEntity.ok()
                .contentType(sink.contentType())
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                // Not to be held by a proxy on the way: a followed line is worth something only at once.
                .header("X-Accel-Buffering", "no")
                .body(sink.emitter);
    }

    private int parseTail(String tail) {
        if (tail == null) {
            return properties.defaultTail();
        }
        try {
            int lines = Integer.parseInt(tail);
            if (lines >= 0 && lines <= properties.maxTail()) {
                return lines;
            }
        } catch (NumberFormatException e) {
            // the same answer as out of range
        }
        throw ApiException.badRequest("tail must be a whole number from 0 to " + properties.maxTail());
    }

    static Instant parseSince(String since) {
        if (since == null) {
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
            throw ApiException.badRequest(
                    "since must be an RFC 3339 time (2026-11-30T13:05:00Z) or a duration before now (90s, 10m, 2h, 1d)");
        }
    }

    private static List<MediaType> accepted(String accept) {
        try {
            List<MediaType> types = accept == null ? new java.util.ArrayList<>() : MediaType.parseMediaTypes(accept);
            MimeTypeUtils.sortBySpecificity(types);
            return types;
        } catch (IllegalArgumentException e) {
            return List.of(); // an unparsable Accept gets the default, SSE
        }
    }
}
