package io.atoll.warmup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Tells when a start-up warm-up may end: the JIT has stopped finding new hot code. Read once a
 * second by the warm-up's loop ({@link #sample}); quiet means {@code quietSamples} samples in a
 * row in which the compiler threads spent less than {@code quietMillisPerSample} compiling.
 *
 * <p>On a JVM that does not report compilation time it never says quiet, and a warm-up then ends
 * by its other limits (duration, work done).
 */
public final class JitQuietness {

    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private final boolean supported = jit != null && jit.isCompilationTimeMonitoringSupported();
    private final long quietMillisPerSample;
    private final int quietSamples;
    private long compiled;
    private int quietInARow;

    public JitQuietness(long quietMillisPerSample, int quietSamples) {
        this.quietMillisPerSample = quietMillisPerSample;
        this.quietSamples = quietSamples;
        this.compiled = supported ? jit.getTotalCompilationTime() : 0;
    }

    /** Whether this JVM reports compilation time at all. */
    public boolean supported() {
        return supported;
    }

    /** Reads the compilation time spent since the last sample; true once the JIT has been quiet long enough. */
    public boolean sample() {
        if (!supported) {
            return false;
        }
        long now = jit.getTotalCompilationTime();
        quietInARow = now - compiled < quietMillisPerSample ? quietInARow + 1 : 0;
        compiled = now;
        return quietInARow >= quietSamples;
    }

    /** Milliseconds the JIT has compiled since this JVM started (0 where not reported). */
    public long totalMillis() {
        return supported ? jit.getTotalCompilationTime() : 0;
    }
}
