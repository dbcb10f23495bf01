package io.atoll.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.atoll.agent.config.AgentProperties;
import io.atoll.model.ContainerLabels;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Docker's event stream for this node's containers, used only as a wake-up call: an exit is
 * then handled at once instead of at the next timer tick. Events carry no state the loop
 * trusts, so a lost stream costs latency, not correctness; it is re-opened every few seconds.
 */
public class ContainerEvents implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ContainerEvents.class);
    private static final long RESUBSCRIBE_SECONDS = 5;

    private final DockerClient docker;
    private final AgentProperties properties;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<ResultCallback.Adapter<Event>> subscription = new AtomicReference<>();
    private volatile boolean running;
    private ScheduledExecutorService resubscriber;

    public ContainerEvents(DockerClient docker, AgentProperties properties) {
        this.docker = docker;
        this.properties = properties;
    }

    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        resubscriber = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "atoll-docker-events");
            thread.setDaemon(true);
            return thread;
        });
        resubscriber.scheduleWithFixedDelay(this::ensureSubscribed, 0, RESUBSCRIBE_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (resubscriber != null) {
            resubscriber.shutdownNow();
        }
        ResultCallback.Adapter<Event> current = subscription.getAndSet(null);
        if (current != null) {
            try {
                current.close();
            } catch (Exception e) {
                // Closing a dead stream.
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before the reconcile loop, which it wakes. */
    @Override
    public int getPhase() {
        return 0;
    }

    private void ensureSubscribed() {
        if (!running || subscription.get() != null) {
            return;
        }
        ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Event event) {
                fire();
            }

            @Override
            public void onError(Throwable throwable) {
                subscription.compareAndSet(this, null);
                if (running) {
                    log.debug("Docker event stream ended: {}", throwable.toString());
                }
                super.onError(throwable);
            }

            @Override
            public void onComplete() {
                subscription.compareAndSet(this, null);
                super.onComplete();
            }
        };
        try {
            subscription.set(callback);
            docker.eventsCmd()
                    .withEventTypeFilter(EventType.CONTAINER)
                    .withLabelFilter(Map.of(ContainerLabels.NODE, properties.nodeId()))
                    .withEventFilter("die", "oom", "start", "destroy")
                    .exec(callback);
            // Whatever happened while the stream was down has to be looked at too.
            fire();
        } catch (RuntimeException e) {
            subscription.compareAndSet(callback, null);
            log.debug("Could not open the Docker event stream: {}", e.toString());
        }
    }

    private void fire() {
        for (Runnable listener : listeners) {
            listener.run();
        }
    }
}
