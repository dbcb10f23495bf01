package io.atoll.platform.logs;

import io.atoll.logs.LogSince;
import io.atoll.logs.LogSink;

import io.atoll.platform.web.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
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
        Instant from;
        try {
            from = LogSince.parse(since);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (instance != null && !INSTANCE.matcher(instance).matches()) {
            throw ApiException.notFound("Instance", instance);
        }
        boolean followed = "true".equals(follow);
        LogSink sink = LogSink.forAccept(accept, followed ? properties.maxFollow() : Duration.ofMinutes(5));
        logs.open(new LogQuery(app, instance, lines, from, followed), sink);
        return ResponseEntity.ok()
                .contentType(sink.contentType())
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                // Not to be held by a proxy on the way: a followed line is worth something only at once.
                .header("X-Accel-Buffering", "no")
                .body(sink.emitter());
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
}
