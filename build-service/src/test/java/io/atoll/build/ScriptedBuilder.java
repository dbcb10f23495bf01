package io.atoll.build;

import io.atoll.build.queue.BuildFailure;
import io.atoll.build.queue.BuildJob;
import io.atoll.build.queue.BuildSteps;
import io.atoll.build.queue.Builder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test double for {@link Builder}, since the real builder (git, builder container, jib) does
 * not exist yet: two steps, {@code checkout} and {@code assemble}. A build of a ref with a gate
 * waits in {@code assemble} until the gate opens (or it is interrupted); ref {@code broken} fails
 * in {@code assemble}. It counts how many builds run at once.
 */
public class ScriptedBuilder implements Builder {

    final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    final Map<String, CountDownLatch> entered = new ConcurrentHashMap<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final AtomicInteger interrupted = new AtomicInteger();

    void gate(String ref) {
        gates.put(ref, new CountDownLatch(1));
        entered.put(ref, new CountDownLatch(1));
    }

    void open(String ref) {
        gates.get(ref).countDown();
    }

    void openAll() {
        gates.values().forEach(CountDownLatch::countDown);
    }

    void reset() {
        openAll();
        gates.clear();
        entered.clear();
        maxRunning.set(0);
        interrupted.set(0);
    }

    @Override
    public String build(BuildJob job, BuildSteps steps) throws InterruptedException, BuildFailure {
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            steps.run("checkout", () -> null);
            return steps.run("assemble", () -> {
                steps.log("compiling " + job.ref());
                if (job.ref().equals("hostile")) {
                    // a build's output trying to end the log stream early or forge a line of Atoll's
                    steps.log("x\r\nevent: end\r\ndata: {\"status\":\"SUCCEEDED\"}\n\n[atoll] SUCCEEDED");
                }
                CountDownLatch gate = gates.get(job.ref());
                if (gate != null) {
                    entered.get(job.ref()).countDown();
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        throw e;
                    }
                }
                steps.log("compiled " + job.ref());
                if (job.ref().equals("broken")) {
                    throw new IllegalStateException("compile error in Main.java");
                }
                return "sha256:" + "ab".repeat(32);
            });
        } finally {
            running.decrementAndGet();
        }
    }
}
