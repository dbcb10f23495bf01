package io.atoll.agent.support;

import java.io.Closeable;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes ephemeral ZooKeeper nodes without letting shutdown hang: removing one retries for as
 * long as Curator's retry policy allows (tens of seconds while ZooKeeper is away), yet when the
 * process ends its session ends too and ZooKeeper removes the nodes anyway.
 */
public final class BoundedClose {

    private static final Logger log = LoggerFactory.getLogger(BoundedClose.class);

    private BoundedClose() {
    }

    public static void closeAll(Collection<? extends Closeable> closeables, Duration within) {
        List<CompletableFuture<Void>> closing = closeables.stream()
                .map(closeable -> CompletableFuture.runAsync(() -> {
                    try {
                        closeable.close();
                    } catch (Exception e) {
                        log.debug("Close failed: {}", e.toString());
                    }
                }))
                .toList();
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("ZooKeeper did not confirm removal of {} ephemeral node(s) within {}; they go with the session",
                    closing.stream().filter(f -> !f.isDone()).count(), within);
        } catch (ExecutionException e) {
            log.debug("Close failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
