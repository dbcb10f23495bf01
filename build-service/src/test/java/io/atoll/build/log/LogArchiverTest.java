package io.atoll.build.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The archiver's passes and reads from the archive, on a real S3 server (s3proxy in this JVM)
 * without the rest of the service: the pass at start moves a log left by an earlier process but
 * not one still being written, which moves when its writer closes; a moved log reads the same
 * from any offset, in pieces of any size.
 */
class LogArchiverTest {

    private static final String PREFIX = "p/";

    @TempDir
    Path directory;

    private String bucket;
    private S3LogArchive archive;
    private BuildLogs logs;
    private LogArchiver archiver;

    @BeforeEach
    void archive() {
        bucket = S3Server.newBucket();
        archive = new S3LogArchive(S3Server.client(), bucket, PREFIX);
        logs = new BuildLogs(directory, 1 << 20, archive);
        archiver = new LogArchiver(logs, archive, new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        archiver.stop();
        archive.close();
    }

    @Test
    void theStartPassMovesLeftLogsButNotGrowingOnesWhichMoveWhenClosed() throws Exception {
        String left = UUID.randomUUID().toString();
        String growing = UUID.randomUUID().toString();
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(left + ".log"), "[atoll] build " + left + "\n[atoll] FAILED: build-service restarted\n");
        BuildLogs.Writer writer = logs.writer(growing);
        writer.line("still running");

        archiver.start();
        await(() -> object(left).isPresent() && !Files.exists(directory.resolve(left + ".log")));
        assertThat(new String(object(left).orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("[atoll] build " + left + "\n[atoll] FAILED: build-service restarted\n");
        assertThat(directory.resolve(growing + ".log")).as("a log being written stays").exists();
        assertThat(object(growing)).isEmpty();

        writer.line("done é");
        writer.close();
        await(() -> object(growing).isPresent() && !Files.exists(directory.resolve(growing + ".log")));
        assertThat(object(growing).orElseThrow()).isEqualTo("still running\ndone é\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anArchivedLogReadsTheSameFromAnyOffsetInPiecesOfAnySize() throws Exception {
        String id = UUID.randomUUID().toString();
        BuildLogs.Writer writer = logs.writer(id);
        List<String> lines = List.of("[atoll] step build", "é".repeat(20), "", "x".repeat(100), "[atoll] SUCCEEDED");
        lines.forEach(writer::line);
        List<BuildLogs.Chunk> fromDisk = List.of(logs.read(id, 0, 1 << 16), logs.read(id, 19, 1 << 16),
                logs.read(id, 19, 30), logs.read(id, 62, 16));
        archiver.start();
        writer.close();
        await(() -> object(id).isPresent() && !Files.exists(directory.resolve(id + ".log")));

        List<BuildLogs.Chunk> fromArchive = List.of(logs.read(id, 0, 1 << 16), logs.read(id, 19, 1 << 16),
                logs.read(id, 19, 30), logs.read(id, 62, 16));
        assertThat(fromArchive).isEqualTo(fromDisk);
        assertThat(fromArchive.get(0).lines()).isEqualTo(lines);
        long end = fromArchive.get(0).next();
        assertThat(logs.read(id, end, 1 << 16)).as("at the end").isEqualTo(new BuildLogs.Chunk(List.of(), end));
        assertThat(logs.read(id, end + 100, 1 << 16).lines()).as("past the end").isEmpty();
        try (InputStream in = logs.open(id).orElseThrow()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(String.join("\n", lines) + "\n");
        }

        String never = UUID.randomUUID().toString();
        assertThat(logs.read(never, 0, 1 << 16)).isEqualTo(new BuildLogs.Chunk(List.of(), 0));
        assertThat(logs.open(never)).isEmpty();
    }

    private Optional<byte[]> object(String id) {
        try (S3Client s3 = S3Server.client()) {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(PREFIX + id + ".log")).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("not within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
