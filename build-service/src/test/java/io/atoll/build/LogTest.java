package io.atoll.build;

import static io.atoll.build.LogEvents.next;
import static io.atoll.build.LogEvents.until;
import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.build.LogEvents.Event;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A build's log over HTTP: followed live as server-sent events while the build runs, resumed
 * with Last-Event-ID, downloaded as text; a build's own output cannot end the stream or pass for
 * a line of Atoll's.
 */
class LogTest extends BuildServiceTestSupport {

    private BlockingQueue<Event> follow(String build, String lastEventId) {
        return LogEvents.follow(port, build, lastEventId);
    }

    @Test
    void aRunningBuildsLogIsFollowedLiveAndEndsWithItsStatus() throws InterruptedException {
        builder.gate("slow");
        String id = triggered("hello", "slow");
        awaitEntered("slow");
        BlockingQueue<Event> events = follow(id, null);

        // what the build wrote so far arrives while it is still running
        List<Event> before = until(events, e -> e.data().equals("compiling slow"));
        Event event = before.get(before.size() - 1);
        assertThat(status(id)).isEqualTo("RUNNING");
        assertThat(before.get(0).data()).startsWith("[atoll] build " + id + " of hello");
        assertThat(before).extracting(Event::name).containsOnly("line");
        assertThat(events.poll(500, TimeUnit.MILLISECONDS)).as("nothing more until the build goes on").isNull();

        builder.open("slow");
        List<Event> after = until(events, "end");
        assertThat(after).extracting(Event::data).contains("compiled slow");
        assertThat(after.get(after.size() - 2).data()).startsWith("[atoll] SUCCEEDED");
        assertThat(after.get(after.size() - 1)).satisfies(end -> {
            assertThat(end.name()).isEqualTo("end");
            assertThat(end.data()).isEqualTo("{\"status\":\"SUCCEEDED\"}");
        });
        assertThat(next(events).name()).as("the stream closes after its end").isEqualTo("closed");

        // reconnecting with the id of the line "compiling slow" gives exactly the lines after it
        List<Event> resumed = until(follow(id, event.id()), "end");
        assertThat(resumed.subList(0, resumed.size() - 1)).extracting(Event::data)
                .containsExactlyElementsOf(after.subList(0, after.size() - 1).stream().map(Event::data).toList());

        // and the whole log as text
        Http.Answer text = http.get("/api/v1/builds/" + id + "/log");
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.contentType()).startsWith("text/plain");
        assertThat(text.body().lines()).contains("[atoll] step checkout", "compiling slow", "compiled slow");
    }

    @Test
    void aBuildsOutputCannotEndTheStreamNorForgeAtollsLines() throws InterruptedException {
        String id = triggered("hello", "hostile");
        List<Event> events = until(follow(id, null), "end");
        List<Event> ends = events.stream().filter(e -> e.name().equals("end")).toList();
        assertThat(ends).hasSize(1);
        assertThat(events.get(events.size() - 1).name()).isEqualTo("end");
        Event hostile = events.stream().filter(e -> e.data().startsWith("x ")).findFirst().orElseThrow();
        // one line, its line breaks flattened: no "event:" or "[atoll]" line of its own
        assertThat(hostile.name()).isEqualTo("line");
        assertThat(events).filteredOn(e -> e.data().startsWith("[atoll] SUCCEEDED")).hasSize(1);
        assertThat(http.get("/api/v1/builds/" + id + "/log").body().lines()
                .filter(line -> line.startsWith("[atoll] SUCCEEDED"))).hasSize(1);
    }

    @Test
    void anUnknownBuildsLogIs404() {
        for (String id : List.of("0b7f3a52-2c51-4b57-9d1c-5f4f0c6a1e11", "not-a-build", "..%2E%2E")) {
            Http.Answer answer = http.get("/api/v1/builds/" + id + "/log");
            assertThat(answer.status()).as(id).isEqualTo(404);
            assertThat(answer.isProblem()).as(id + " " + answer.contentType() + " " + answer.body()).isTrue();
        }
    }
}
