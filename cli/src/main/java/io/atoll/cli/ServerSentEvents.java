package io.atoll.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * A reader of {@code text/event-stream} as the HTML standard defines it: {@code event:},
 * {@code id:} and {@code data:} fields (data lines joined by a newline), an event dispatched at a
 * blank line, comments ({@code :heartbeat}) skipped, CR, LF or CRLF line ends.
 */
final class ServerSentEvents {

    /** One event; {@code name} is {@code message} when the server named none. */
    record Event(String id, String name, String data) {
    }

    private ServerSentEvents() {
    }

    /** Reads events until the stream ends or {@code handler} answers false. */
    static void read(InputStream stream, Predicate<Event> handler) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
        String id = null;
        String name = null;
        StringBuilder data = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null && !handler.test(new Event(id, name == null ? "message" : name, data.toString()))) {
                    return;
                }
                name = null;
                data = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> name = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                case "id" -> {
                    if (value.indexOf('\0') < 0) {
                        id = value;
                    }
                }
                default -> {
                    // retry and unknown fields: nothing to do
                }
            }
        }
    }
}
