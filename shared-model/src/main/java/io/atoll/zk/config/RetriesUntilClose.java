package io.atoll.zk.config;

import org.apache.curator.RetryPolicy;
import org.apache.curator.RetrySleeper;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Curator's retries while the service runs, none once it is closing. Spring Cloud Zookeeper
 * deregisters the service from discovery in three beans' destroy methods, each through Curator's
 * retry loop: with ZooKeeper away, ten retries of up to 5 s made a stopping service hang for
 * about two minutes (a gateway stopped during an outage, measured in ZooKeeperOutageTest). Nothing
 * done at close needs them: the service's ephemeral nodes go with its session, and every other
 * piece of state is reconciled by whoever runs next. With retries off, each of those calls fails
 * after one connection timeout.
 */
final class RetriesUntilClose implements RetryPolicy, ApplicationListener<ContextClosedEvent> {

    private final RetryPolicy running = new ExponentialBackoffRetry(250, 10, 5_000);
    private final ApplicationContext context;
    private volatile boolean closing;

    RetriesUntilClose(ApplicationContext context) {
        this.context = context;
    }

    @Override
    public boolean allowRetry(int retryCount, long elapsedTimeMs, RetrySleeper sleeper) {
        return !closing && running.allowRetry(retryCount, elapsedTimeMs, sleeper);
    }

    @Override
    public boolean allowRetry(Throwable exception) {
        return !closing && running.allowRetry(exception);
    }

    /** Only this context's close: a child context (the management server's) closing is not the service stopping. */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (event.getApplicationContext() == context) {
            closing = true;
        }
    }

    boolean closing() {
        return closing;
    }
}
