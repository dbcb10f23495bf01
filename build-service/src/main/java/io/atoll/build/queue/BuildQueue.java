package io.atoll.build.queue;

import io.atoll.build.BuildProperties;
import io.atoll.build.log.BuildLogs;
import io.atoll.build.record.Build;
import io.atoll.build.record.BuildRepository;
import io.atoll.build.record.BuildStatus;
import io.atoll.build.record.BuildStep;
import io.atoll.build.record.BuildStepRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The build queue: SQL is the queue, and {@link #dispatch()} is its one level-based pass. A pass
 * re-reads the QUEUED builds in order and starts the oldest build of every app that has none
 * running, while fewer than {@code atoll.build.max-concurrent} run. Passes run on events only (a
 * build asked for, a build finished, the start), never on a timer.
 *
 * <p>Threads: builders run on the worker pool (max-concurrent threads) and are the only code a
 * cancel or shutdown interrupts; every write to the records goes through one recorder thread, in
 * order, so an interrupt never lands in a JDBC call.
 *
 * <p>At start-up a build left RUNNING by a previous process is marked FAILED ("build-service
 * restarted"): its builder container and half-made layers died with that process and cannot be
 * trusted. A QUEUED one never started, so it stays queued and runs now. One build-service
 * process per database: two would each run the queue.
 */
@Component
public class BuildQueue implements SmartLifecycle {

    static final String RESTARTED = "build-service restarted";
    static final String STOPPED = "build-service stopped";
    private static final int MAX_REASON = 4000;

    private static final Logger log = LoggerFactory.getLogger(BuildQueue.class);

    private final BuildRepository builds;
    private final BuildStepRepository steps;
    private final Builder builder;
    private final BuildLogs logs;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final int maxConcurrent;
    private final MeterRegistry meters;
    private final Object lock = new Object();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final AtomicInteger runningGauge = new AtomicInteger();
    private ExecutorService workers;
    private ExecutorService recorder;
    private volatile boolean started;

    public BuildQueue(BuildRepository builds, BuildStepRepository steps, Builder builder, BuildLogs logs,
            TransactionTemplate tx, BuildProperties properties, MeterRegistry meters) {
        this.logs = logs;
        this.builds = builds;
        this.steps = steps;
        this.builder = builder;
        this.tx = tx;
        this.clock = Clock.systemUTC();
        this.maxConcurrent = properties.maxConcurrent();
        this.meters = meters;
        meters.gauge("atoll.build.running", runningGauge);
    }

    /**
     * Records a build as QUEUED, supersedes the app's older queued builds of the same ref, and
     * runs {@code alsoInTransaction} (a webhook's delivery record) in the same transaction: if it
     * throws, nothing is queued.
     */
    public Build enqueue(NewBuild request, Runnable alsoInTransaction) {
        Build build = tx.execute(status -> {
            alsoInTransaction.run();
            Build saved = builds.save(new Build(UUID.randomUUID().toString(), request.app(), request.sourceKind(),
                    request.repository(), request.ref(), request.commit(), BuildStatus.QUEUED, null, null, null, null,
                    request.triggerKind(), request.triggeredBy(), request.deliveryId(), null, clock.instant(), null,
                    null, null));
            int superseded = builds.supersede(request.app(), request.ref(), saved.id(), clock.instant());
            if (superseded > 0) {
                meters.counter("atoll.build.superseded").increment(superseded);
            }
            return saved;
        });
        log.info("Build {} of {} queued ({} {} by {})", build.id(), build.app(), build.ref(), build.triggerKind(),
                build.triggeredBy());
        dispatch();
        return build;
    }

    public enum CancelOutcome { CANCELLED, INTERRUPTING, ALREADY_FINISHED, UNKNOWN }

    /** A queued build ends CANCELLED at once; a running one's builder is interrupted and ends CANCELLED after. */
    public CancelOutcome cancel(String id) {
        synchronized (lock) {
            if (builds.cancelQueued(id, "cancelled", clock.instant()) == 1) {
                log.info("Build {} cancelled while queued", id);
                return CancelOutcome.CANCELLED;
            }
            Running run = running.get(id);
            if (run != null) {
                run.cancelRequested = true;
                run.future.cancel(true);
                log.info("Build {} cancelled while running: interrupting its builder", id);
                return CancelOutcome.INTERRUPTING;
            }
        }
        return builds.findById(id).map(b -> CancelOutcome.ALREADY_FINISHED).orElse(CancelOutcome.UNKNOWN);
    }

    /** One pass: start what may start. Safe to call from any thread at any time. */
    public void dispatch() {
        synchronized (lock) {
            if (!started) {
                return;
            }
            Set<String> busy = new HashSet<>();
            running.values().forEach(r -> busy.add(r.app));
            for (Build build : builds.findQueued()) {
                if (running.size() >= maxConcurrent) {
                    break;
                }
                // the oldest queued build of an app blocks its later ones: per-app order
                if (!busy.add(build.app())) {
                    continue;
                }
                if (builds.start(build.id(), clock.instant()) == 1) {
                    Running run = new Running(build.app());
                    running.put(build.id(), run);
                    runningGauge.set(running.size());
                    run.future = workers.submit(() -> work(build, run));
                    log.info("Build {} of {} started", build.id(), build.app());
                }
            }
        }
    }

    /** On a worker thread: only the builder runs here; records are written by the recorder. */
    private void work(Build build, Running run) {
        String status = "SUCCEEDED";
        String failedStep = null;
        String reason = null;
        String digest = null;
        BuildLogs.Writer logWriter = logs.writer(build.id());
        RecordingSteps recording = new RecordingSteps(build.id(), logWriter);
        logWriter.line("[atoll] build " + build.id() + " of " + build.app() + ": " + build.repository() + " "
                + (build.commitSha() != null ? build.commitSha() : build.ref()));
        try {
            digest = builder.build(new BuildJob(build.id(), build.app(), build.sourceKind(), build.repository(), build.ref(),
                    build.commitSha()), recording);
        } catch (BuildFailure e) {
            status = "FAILED";
            failedStep = e.step();
            reason = e.getMessage();
        } catch (InterruptedException e) {
            status = run.cancelRequested ? "CANCELLED" : "FAILED";
            failedStep = run.cancelRequested ? null : recording.current;
            reason = run.cancelRequested ? "cancelled while running" : STOPPED;
        } catch (RuntimeException e) {
            log.error("Builder error in build {}", build.id(), e);
            status = "FAILED";
            failedStep = recording.current;
            reason = "builder error (see the build-service log)";
        }
        // a cancel may interrupt this thread after the builder returned: the last lines and writes go on
        Thread.interrupted();
        if (run.cancelRequested) {
            status = "CANCELLED";
            failedStep = null;
            reason = "cancelled while running";
        }
        if (reason != null && reason.length() > MAX_REASON) {
            // the column holds 4000 characters; the whole text is in the log
            reason = reason.substring(0, MAX_REASON - 1) + "…";
        }
        logWriter.line("[atoll] " + status + (failedStep == null ? "" : " at step " + failedStep)
                + (reason == null ? "" : ": " + reason) + (digest == null ? "" : " " + build.app() + "@" + digest));
        logWriter.close();
        String finalStatus = status;
        String finalStep = failedStep;
        String finalReason = reason;
        String finalDigest = digest;
        Thread.interrupted();
        record(() -> {
            builds.finish(build.id(), finalStatus, finalStep, finalReason, finalDigest, clock.instant());
            meters.counter("atoll.build.finished", "status", finalStatus).increment();
            log.info("Build {} of {} {}{}", build.id(), build.app(), finalStatus,
                    finalReason == null ? "" : ": " + finalReason);
            synchronized (lock) {
                running.remove(build.id());
                runningGauge.set(running.size());
            }
            dispatch();
        });
    }

    private void record(Runnable write) {
        try {
            recorder.execute(() -> {
                try {
                    write.run();
                } catch (RuntimeException e) {
                    log.error("Could not write a build record", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: the next start marks what is left RUNNING as FAILED
            log.warn("Build record not written during shutdown");
        }
    }

    private final class RecordingSteps implements BuildSteps {

        private final String buildId;
        private final BuildLogs.Writer log;
        private volatile String current;

        RecordingSteps(String buildId, BuildLogs.Writer log) {
            this.buildId = buildId;
            this.log = log;
        }

        @Override
        public void log(String line) {
            log.line(line);
        }

        @Override
        public void resolved(String commit) {
            record(() -> builds.resolveCommit(buildId, commit));
        }

        @Override
        public <T> T run(String step, Step<T> body) throws InterruptedException, BuildFailure {
            current = step;
            record(() -> builds.enterStep(buildId, step));
            log.line("[atoll] step " + step);
            long start = System.nanoTime();
            try {
                return body.call();
            } catch (InterruptedException | BuildFailure e) {
                throw e;
            } catch (Exception e) {
                throw new BuildFailure(step, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            } finally {
                long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
                record(() -> steps.save(new BuildStep(UUID.randomUUID().toString(), buildId, step, millis,
                        clock.instant(), null)));
            }
        }
    }

    private static final class Running {
        final String app;
        volatile Future<?> future;
        volatile boolean cancelRequested;

        Running(String app) {
            this.app = app;
        }
    }

    @Override
    public void start() {
        int failed = builds.failRunning(RESTARTED, clock.instant());
        if (failed > 0) {
            log.warn("Marked {} build(s) left RUNNING by a previous process as FAILED", failed);
        }
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(maxConcurrent, r -> new Thread(r, "build-" + n.incrementAndGet()));
        recorder = Executors.newSingleThreadExecutor(r -> new Thread(r, "build-recorder"));
        started = true;
        dispatch();
    }

    @Override
    public void stop() {
        synchronized (lock) {
            started = false;
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
            recorder.shutdown();
            recorder.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return started;
    }
}
