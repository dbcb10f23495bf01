package io.atoll.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A client of a build's log as server-sent events (JDK client): events go into a queue as they arrive. */
final class LogEvents {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** One event; a last one named {@code closed} says the stream ended. */
    record Event(String id, String name, String data) {
    }

    private LogEvents() {
    }

    static BlockingQueue<Event> follow(int port, String build, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/builds/" + build + "/log")).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        CLIENT.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
            String[] id = {null};
            String[] name = {null};
            response.body().forEach(line -> {
                if (line.startsWith("id:")) {
                    id[0] = line.substring(3);
                } else if (line.startsWith("event:")) {
                    name[0] = line.substring(6);
                } else if (line.startsWith("data:")) {
                    events.add(new Event(id[0], name[0], line.substring(5)));
                }
            });
            events.add(new Event(null, "closed", ""));
        });
        return events;
    }

    static Event next(BlockingQueue<Event> events) throws InterruptedException {
        Event event = events.poll(10, TimeUnit.SECONDS);
        assertThat(event).as("an event within 10 s").isNotNull();
        return event;
    }

    /** The events up to and with the first named {@code name} (or the stream's end). */
    static List<Event> until(BlockingQueue<Event> events, String name) throws InterruptedException {
        return until(events, event -> event.name().equals(name));
    }

    /** The events up to and with the first that is {@code last} (or the stream's end). */
    static List<Event> until(BlockingQueue<Event> events, Predicate<Event> last) throws InterruptedException {
        List<Event> seen = new ArrayList<>();
        Event event;
        do {
            event = next(events);
            seen.add(event);
        } while (!last.test(event) && !event.name().equals("closed"));
        return seen;
    }
}
