package io.atoll.logs;

import io.atoll.json.JsonCodec;
import io.atoll.model.LogLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.util.MimeTypeUtils;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Where one request's lines go, in the format its {@code Accept} asked for. Every line is framed
 * whole by the format, so nothing an app prints can end or forge a frame: in SSE and NDJSON the
 * line is a JSON string (Jackson escapes CR, LF and every other control character), in plain text
 * control characters become U+FFFD ({@link LogLine#toText()}). The node agent's log endpoint and
 * platform-api's, which merges the agents', both answer through it.
 */
public abstract sealed class LogSink {

    static final MediaType NDJSON = new MediaType("application", "x-ndjson", StandardCharsets.UTF_8);
    static final MediaType TEXT = new MediaType("text", "plain", StandardCharsets.UTF_8);
    static final MediaType EVENT_STREAM = MediaType.TEXT_EVENT_STREAM;

    private static final JsonCodec codec = JsonCodec.shared();

    final ResponseBodyEmitter emitter;

    private LogSink(ResponseBodyEmitter emitter) {
        this.emitter = emitter;
    }

    /** The sink for the format the {@code Accept} header asks for best; SSE when it names none, or is not one. */
    public static LogSink forAccept(String accept, Duration timeout) {
        List<MediaType> accepted;
        try {
            accepted = accept == null ? new ArrayList<>() : MediaType.parseMediaTypes(accept);
            MimeTypeUtils.sortBySpecificity(accepted);
        } catch (IllegalArgumentException e) { // InvalidMimeTypeException among others
            accepted = List.of();
        }
        for (MediaType type : accepted) {
            if (type.isCompatibleWith(EVENT_STREAM) && !type.isWildcardType()) {
                return new Sse(timeout);
            }
            if (type.isCompatibleWith(NDJSON) && !type.isWildcardType() && !type.isWildcardSubtype()) {
                return new NdJson(timeout);
            }
            if (type.isCompatibleWith(TEXT) && !type.isWildcardType() && !type.isWildcardSubtype()) {
                return new Text(timeout);
            }
        }
        return new Sse(timeout);
    }

    /** The response body: hand it to Spring MVC. */
    public ResponseBodyEmitter emitter() {
        return emitter;
    }

    /** Calls {@code close} once the response ends, by completion, timeout or error. */
    public void onEnd(Runnable close) {
        emitter.onCompletion(close);
        emitter.onTimeout(close);
        emitter.onError(error -> close.run());
    }

    /** Sends the lines in order; false when the client is gone (or the write failed). */
    public synchronized boolean offer(List<LogLine> lines) {
        try {
            send(lines);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Keeps an idle connection visibly alive; false when the client is gone. */
    public synchronized boolean keepAlive() {
        try {
            heartbeat();
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public void complete() {
        emitter.complete();
    }

    public abstract MediaType contentType();

    abstract void send(List<LogLine> lines) throws IOException;

    /** Keeps an idle connection visibly alive; a write to a client that went away fails here. */
    abstract void heartbeat() throws IOException;

    static String json(LogLine line) {
        return codec.encodeToString(line);
    }

    static final class Sse extends LogSink {

        Sse(Duration timeout) {
            super(new SseEmitter(timeout.toMillis()));
        }

        @Override
        public MediaType contentType() {
            return EVENT_STREAM;
        }

        @Override
        void send(List<LogLine> lines) throws IOException {
            for (LogLine line : lines) {
                // The event's name is the stream (stdout, stderr, atoll): a browser's EventSource can listen to each.
                ((SseEmitter) emitter).send(SseEmitter.event().name(line.stream()).data(json(line), MediaType.APPLICATION_JSON));
            }
        }

        @Override
        void heartbeat() throws IOException {
            ((SseEmitter) emitter).send(SseEmitter.event().comment("heartbeat"));
        }
    }

    static final class NdJson extends LogSink {

        NdJson(Duration timeout) {
            super(new ResponseBodyEmitter(timeout.toMillis()));
        }

        @Override
        public MediaType contentType() {
            return NDJSON;
        }

        @Override
        void send(List<LogLine> lines) throws IOException {
            StringBuilder out = new StringBuilder();
            for (LogLine line : lines) {
                out.append(json(line)).append('\n');
            }
            emitter.send(out.toString(), NDJSON);
        }

        /** An empty line, which a reader of NDJSON skips. */
        @Override
        void heartbeat() throws IOException {
            emitter.send("\n", NDJSON);
        }
    }

    static final class Text extends LogSink {

        Text(Duration timeout) {
            super(new ResponseBodyEmitter(timeout.toMillis()));
        }

        @Override
        public MediaType contentType() {
            return TEXT;
        }

        @Override
        void send(List<LogLine> lines) throws IOException {
            StringBuilder out = new StringBuilder();
            for (LogLine line : lines) {
                out.append(line.toText()).append('\n');
            }
            emitter.send(out.toString(), TEXT);
        }

        /** Plain text has no comment to send: a client that went away is noticed at the next line. */
        @Override
        void heartbeat() {
        }
    }
}
