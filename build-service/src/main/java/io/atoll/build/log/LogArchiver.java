package io.atoll.build.log;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Moves finished logs to the {@code s3} archive, level-based: a pass lists the logs on disk whose
 * writer has closed, uploads each and deletes its file once the upload succeeded. A failed upload
 * leaves the file (nothing is lost, reads go on from it) for the next pass. Passes run at start
 * and each time a build's log closes, never on a timer, one at a time on one thread of their own,
 * so a slow bucket never holds a build up; requests arriving during a pass collapse into one more.
 */
class LogArchiver implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LogArchiver.class);

    private final BuildLogs logs;
    private final S3LogArchive archive;
    private final Counter stored;
    private final Counter failed;
    private final AtomicBoolean requested = new AtomicBoolean();
    private final AtomicLong passes = new AtomicLong();
    private volatile ExecutorService thread;

    LogArchiver(BuildLogs logs, S3LogArchive archive, MeterRegistry meters) {
        this.logs = logs;
        this.archive = archive;
        this.stored = meters.counter("atoll.build.log.archived", "result", "stored");
        this.failed = meters.counter("atoll.build.log.archived", "result", "failed");
        logs.afterClose(id -> request());
    }

    /** Asks for a pass; returns at once. */
    void request() {
        ExecutorService executor = thread;
        if (executor == null || !requested.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                requested.set(false);
                pass();
            });
        } catch (RejectedExecutionException e) {
            // stopping: what is left on disk is archived by the next start's pass
            requested.set(false);
        }
    }

    /** One pass over every closed log still on disk. */
    void pass() {
        long id = passes.incrementAndGet();
        List<String> builds;
        try {
            builds = logs.closedOnDisk();
        } catch (IOException e) {
            log.warn("Log archive pass {}: cannot list the logs on disk: {}", id, e.toString());
            return;
        }
        int done = 0;
        for (String build : builds) {
            try {
                archive.store(build, logs.file(build));
            } catch (LogArchiveException e) {
                // the bucket is out of reach or refusing: the others would only fail the same way
                failed.increment();
                log.warn("Log archive pass {}: {} finished log(s) stay on disk until a later pass: {}", id,
                        builds.size() - done, e.getMessage());
                return;
            }
            try {
                Files.deleteIfExists(logs.file(build));
            } catch (IOException e) {
                // uploaded again by the next pass, which changes nothing
                log.warn("Log archive pass {}: cannot delete the archived log of build {}: {}", id, build, e.toString());
            }
            stored.increment();
            done++;
        }
        if (done > 0) {
            log.info("Log archive pass {}: {} finished log(s) moved to {}", id, done, archive.describe());
        }
    }

    /** How many finished logs wait on disk for the archive, for the health details. */
    int waiting() {
        try {
            return logs.closedOnDisk().size();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void start() {
        thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "log-archiver"));
        request();
    }

    /** Waits a little for a pass under way, so that the logs of builds stopped with the service go too. */
    @Override
    public void stop() {
        ExecutorService executor = thread;
        thread = null;
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }

    /** Stops after the build queue (whose stopped builds close their logs) and starts before it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1;
    }
}
