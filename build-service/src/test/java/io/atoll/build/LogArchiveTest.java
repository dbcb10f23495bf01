package io.atoll.build;

import static io.atoll.build.LogEvents.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.atoll.build.LogEvents.Event;
import io.atoll.build.log.S3Server;
import io.atoll.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import tools.jackson.databind.JsonNode;

/**
 * The {@code s3} log archive against a real S3 server (s3proxy in this JVM) over real HTTP: a
 * finished build's log moves to the bucket byte for byte and is still served as text and as
 * events from there, byte offsets unchanged; with the bucket out of reach the log stays on disk
 * and a later pass moves it; the secret key shows nowhere.
 */
@ExtendWith(OutputCaptureExtension.class)
class LogArchiveTest extends BuildServiceTestSupport {

    private static final String PREFIX = "build-logs/";
    private static final Path DATA = dataDir();
    private static final String BUCKET = S3Server.newBucket();

    /**
     * Its own data directory, and on H2 its own database (on PostgreSQL every context has one):
     * another test's context in this JVM must not see this one's logs nor run its queue.
     */
    @DynamicPropertySource
    static void archive(DynamicPropertyRegistry registry) {
        if (!TestDatabase.postgresql()) {
            registry.add("spring.datasource.url", () -> "jdbc:h2:mem:log-archive;DB_CLOSE_DELAY=-1");
        }
        registry.add("atoll.build.data-dir", DATA::toString);
        registry.add("atoll.build.log.archive", () -> "s3");
        registry.add("atoll.build.log.s3.bucket", () -> BUCKET);
        registry.add("atoll.build.log.s3.prefix", () -> PREFIX);
        registry.add("atoll.build.log.s3.endpoint", () -> S3Server.endpoint().toString());
        registry.add("atoll.build.log.s3.path-style", () -> "true");
        registry.add("atoll.build.log.s3.access-key-id", () -> S3Server.ACCESS_KEY);
        registry.add("atoll.build.log.s3.secret-access-key", () -> S3Server.SECRET_KEY);
    }

    @Test
    void aFinishedBuildsLogMovesToTheBucketAndIsStillServedFromThere() throws Exception {
        builder.gate("archived");
        String id = triggered("hello", "archived");
        awaitEntered("archived");
        BlockingQueue<Event> live = LogEvents.follow(port, id, null);
        List<Event> lines = new ArrayList<>(until(live, e -> e.data().equals("compiling archived")));
        Event compiling = lines.get(lines.size() - 1);
        assertThat(local(id)).as("a running build's log is on disk").exists();
        assertThat(object(id)).as("and not in the bucket yet").isEmpty();

        builder.open("archived");
        List<Event> rest = until(live, "end");
        lines.addAll(rest.subList(0, rest.size() - 1));
        byte[] archived = awaitArchived(id);
        assertThat(local(id)).as("the local file goes once the object is there").doesNotExist();
        String expected = String.join("\n", lines.stream().map(Event::data).toList()) + "\n";
        assertThat(new String(archived, StandardCharsets.UTF_8)).isEqualTo(expected);
        try (S3Client s3 = S3Server.client()) {
            // as a media type: s3proxy gives it back without the space
            assertThat(MediaType.parseMediaType(s3.headObject(b -> b.bucket(BUCKET).key(PREFIX + id + ".log")).contentType()))
                    .isEqualTo(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8));
        }

        Http.Answer text = http.get("/api/v1/builds/" + id + "/log");
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.contentType()).startsWith("text/plain");
        assertThat(text.body()).isEqualTo(expected);

        // followed again from the archive: the same lines with the same byte offsets, then the end
        List<Event> replay = until(LogEvents.follow(port, id, null), "end");
        assertThat(replay.subList(0, replay.size() - 1)).containsExactlyElementsOf(lines);
        assertThat(replay.get(replay.size() - 1)).satisfies(end -> {
            assertThat(end.name()).isEqualTo("end");
            assertThat(end.data()).isEqualTo("{\"status\":\"SUCCEEDED\"}");
        });

        // resumed after "compiling archived": exactly the lines after it
        List<Event> resumed = until(LogEvents.follow(port, id, compiling.id()), "end");
        assertThat(resumed.subList(0, resumed.size() - 1)).containsExactlyElementsOf(rest.subList(0, rest.size() - 1));
        // resumed after the last line: only the end
        List<Event> atEnd = until(LogEvents.follow(port, id, lines.get(lines.size() - 1).id()), "closed");
        assertThat(atEnd).extracting(Event::name).containsExactly("end", "closed");

        S3Server.stop();
        try {
            Http.Answer unreachable = http.get("/api/v1/builds/" + id + "/log");
            assertThat(unreachable.status()).as("the bucket out of reach").isEqualTo(503);
            assertThat(unreachable.isProblem()).isTrue();
        } finally {
            S3Server.start();
        }
    }

    @Test
    void withTheBucketDownALogStaysOnDiskUntilALaterPassMovesIt(CapturedOutput output) throws Exception {
        double failedBefore = archived("failed");
        String first;
        byte[] kept;
        S3Server.stop();
        try {
            first = triggered("hello", "offline");
            awaitStatus(first, "SUCCEEDED");
            await("a failed upload", () -> archived("failed") > failedBefore);
            assertThat(local(first)).as("nothing lost: the log stays on disk").exists();
            kept = Files.readAllBytes(local(first));
            assertThat(new String(kept, StandardCharsets.UTF_8)).contains("compiling offline\n", "[atoll] SUCCEEDED");
            // and is served from there
            assertThat(http.get("/api/v1/builds/" + first + "/log").body()).isEqualTo(new String(kept, StandardCharsets.UTF_8));
            List<Event> events = until(LogEvents.follow(port, first, null), "end");
            assertThat(events.get(events.size() - 1).data()).isEqualTo("{\"status\":\"SUCCEEDED\"}");

            JsonNode s3 = http.get("/actuator/health").json().get("components").get("s3");
            assertThat(s3.get("status").asString()).isEqualTo("DOWN");
            assertThat(s3.get("details").get("waiting").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(http.get("/actuator/health/readiness").status()).as("builds go on without the bucket").isEqualTo(200);
        } finally {
            S3Server.start();
        }

        // back, but no timer: the log waits for the next event
        sleep(500);
        assertThat(local(first)).exists();
        String second = triggered("hello", "online");
        awaitStatus(second, "SUCCEEDED");
        assertThat(awaitArchived(first)).as("byte for byte the file that waited").isEqualTo(kept);
        awaitArchived(second);
        assertThat(local(first)).doesNotExist();
        assertThat(local(second)).doesNotExist();
        JsonNode s3 = http.get("/actuator/health").json().get("components").get("s3");
        assertThat(s3.get("status").asString()).isEqualTo("UP");
        assertThat(s3.get("details").get("waiting").asInt()).isZero();

        assertThat(output.getAll()).contains("stay on disk until a later pass").doesNotContain(S3Server.SECRET_KEY);
        for (String path : List.of("/actuator/health", "/actuator/prometheus", "/actuator/env", "/actuator/configprops",
                "/api/v1/builds/" + first, "/api/v1/builds/" + first + "/log")) {
            assertThat(http.get(path).body()).as(path).doesNotContain(S3Server.SECRET_KEY);
        }
    }

    private static Path dataDir() {
        try {
            return Files.createTempDirectory(Files.createDirectories(Path.of("target")), "log-archive-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path local(String id) {
        return DATA.resolve("logs").resolve(id + ".log");
    }

    private static Optional<byte[]> object(String id) {
        try (S3Client s3 = S3Server.client()) {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(PREFIX + id + ".log")).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    /** The object once it is in the bucket and the local file is gone. */
    private static byte[] awaitArchived(String id) {
        await("the log of " + id + " archived", () -> !Files.exists(local(id)) && object(id).isPresent());
        return object(id).orElseThrow();
    }

    private double archived(String result) {
        Http.Answer answer = http.get("/actuator/metrics/atoll.build.log.archived?tag=result:" + result);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json().get("measurements").get(0).get("value").asDouble();
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail(what + " within 10 s");
            }
            sleep(20);
        }
    }
}
