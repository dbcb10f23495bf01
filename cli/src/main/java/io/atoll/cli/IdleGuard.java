package io.atoll.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends a followed stream that has been silent too long. platform-api sends a heartbeat every
 * 15 s on deploy events and logs, so a longer silence is a connection that died without a word
 * (a NAT or a proxy dropped it): the JDK's HTTP client would wait on it forever. Closing it makes
 * the reader see its end, and the followers open it again where they were.
 */
final class IdleGuard extends FilterInputStream {

    private static final ScheduledExecutorService WATCH = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "atoll-idle-guard");
        thread.setDaemon(true);
        return thread;
    });

    private final long limitNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastRead = System.nanoTime();

    private IdleGuard(InputStream in, Duration limit) {
        super(in);
        this.limitNanos = limit.toNanos();
        long every = Math.max(50, limit.toMillis() / 4);
        this.check = WATCH.scheduleWithFixedDelay(this::closeIfSilent, every, every, TimeUnit.MILLISECONDS);
    }

    static InputStream wrap(InputStream in, Duration limit) {
        return new IdleGuard(in, limit);
    }

    private void closeIfSilent() {
        if (System.nanoTime() - lastRead > limitNanos) {
            try {
                close();
            } catch (IOException e) {
                // closing is all there is to do
            }
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        lastRead = System.nanoTime();
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        lastRead = System.nanoTime();
        return n;
    }

    @Override
    public void close() throws IOException {
        check.cancel(false);
        super.close();
    }
}
