package io.atoll.agent.logs;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.LogContainerCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.atoll.agent.config.AgentProperties;
import io.atoll.docker.DockerClients;
import io.atoll.model.ContainerLabels;
import io.atoll.model.LogLine;
import java.io.Closeable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Reads this node's containers' logs from Docker's log endpoint, as {@link LogLine}s tagged with
 * app, instance, node and stream. It has a Docker client of its own: a followed log holds a
 * connection for as long as a reader watches, idle for minutes, and must neither use up the
 * reconcile loop's connections nor be cut by its response timeout.
 */
class ContainerLogs implements AutoCloseable {

    /** A container whose log can be read. */
    record Target(String containerId, String app, String instance, boolean running) {
    }

    /** An open log stream. */
    interface Opened extends Closeable {

        /** Waits until Docker has answered (the stream is attached), at most {@code atMost}. */
        boolean awaitStarted(Duration atMost) throws InterruptedException;

        /** Ends the stream; its {@code end} callback is still called. */
        @Override
        void close();
    }

    private final DockerClient docker;
    private final String nodeId;
    private final LogProperties properties;

    ContainerLogs(AgentProperties agent, LogProperties properties) {
        this.nodeId = agent.nodeId();
        this.properties = properties;
        // An idle follow is ended by the endpoint's own bound (max-follow), not earlier.
        this.docker = DockerClients.connect(agent.dockerHost(), 4 * properties.maxStreams(),
                properties.maxFollow().plusMinutes(1));
    }

    /** This node's containers of the app (and instance, if given), running or not. */
    List<Target> list(String app, String instance) {
        Map<String, String> labels = new HashMap<>();
        labels.put(ContainerLabels.NODE, nodeId);
        if (app != null) {
            labels.put(ContainerLabels.APP, app);
        }
        if (instance != null) {
            labels.put(ContainerLabels.INSTANCE, instance);
        }
        List<Target> found = new ArrayList<>();
        for (Container container : docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec()) {
            Map<String, String> l = container.getLabels() == null ? Map.of() : container.getLabels();
            if (l.get(ContainerLabels.INSTANCE) != null) {
                found.add(new Target(container.getId(), l.get(ContainerLabels.APP), l.get(ContainerLabels.INSTANCE),
                        "running".equals(container.getState())));
            }
        }
        return found;
    }

    /** The container if it is this node's and an instance's. */
    Optional<Target> inspect(String containerId) {
        try {
            var response = docker.inspectContainerCmd(containerId).exec();
            Map<String, String> l = response.getConfig().getLabels() == null ? Map.of() : response.getConfig().getLabels();
            if (!nodeId.equals(l.get(ContainerLabels.NODE)) || l.get(ContainerLabels.INSTANCE) == null) {
                return Optional.empty();
            }
            return Optional.of(new Target(response.getId(), l.get(ContainerLabels.APP), l.get(ContainerLabels.INSTANCE),
                    Boolean.TRUE.equals(response.getState().getRunning())));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Opens the container's log, stdout and stderr, with Docker's timestamps.
     *
     * @param tail the last lines to start with (per stream, as Docker counts), null for all
     * @param since lines before it are dropped; null for all
     * @param follow go on with new lines until the container stops (or {@code close})
     * @param lines called with each chunk's complete lines, in order, on Docker's reading thread; a
     *     slow consumer slows the reading, nothing is buffered beyond a line
     * @param end called once when the stream ends, with the error if it failed
     */
    Opened open(Target target, Integer tail, Instant since, boolean follow, Consumer<List<LogLine>> lines,
            Consumer<Throwable> end) {
        LineSplitter out = new LineSplitter(target.app(), target.instance(), nodeId, LogLine.STDOUT,
                properties.maxLineBytes());
        LineSplitter err = new LineSplitter(target.app(), target.instance(), nodeId, LogLine.STDERR,
                properties.maxLineBytes());
        AtomicBoolean ended = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onStart(Closeable stream) {
                super.onStart(stream);
                started.countDown();
            }

            @Override
            public void onNext(Frame frame) {
                LineSplitter splitter = frame.getStreamType() == StreamType.STDERR ? err : out;
                deliver(splitter.accept(frame.getPayload()));
            }

            @Override
            public void onError(Throwable throwable) {
                finish(throwable);
                super.onError(throwable);
            }

            @Override
            public void onComplete() {
                finish(null);
                super.onComplete();
            }

            private void finish(Throwable error) {
                started.countDown();
                if (ended.compareAndSet(false, true)) {
                    List<LogLine> last = new ArrayList<>(2);
                    for (LineSplitter splitter : List.of(out, err)) {
                        LogLine line = splitter.finish();
                        if (line != null) {
                            last.add(line);
                        }
                    }
                    try {
                        deliver(last);
                    } finally {
                        end.accept(error);
                    }
                }
            }

            private void deliver(List<LogLine> chunk) {
                if (since != null) {
                    chunk = chunk.stream().filter(line -> !line.time().isBefore(since)).toList();
                }
                if (!chunk.isEmpty()) {
                    lines.accept(chunk);
                }
            }
        };
        LogContainerCmd command = docker.logContainerCmd(target.containerId())
                .withStdOut(true)
                .withStdErr(true)
                .withTimestamps(true)
                .withFollowStream(follow);
        if (tail != null) {
            command.withTail(tail);
        }
        if (since != null) {
            // Docker counts in whole seconds; the lines before the instant itself are dropped above.
            command.withSince((int) since.getEpochSecond());
        }
        try {
            command.exec(callback);
        } catch (RuntimeException e) {
            callback.onError(e);
        }
        return new Opened() {
            @Override
            public boolean awaitStarted(Duration atMost) throws InterruptedException {
                return started.await(atMost.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void close() {
                try {
                    callback.close();
                } catch (Exception e) {
                    // already closed
                }
                started.countDown();
                if (ended.compareAndSet(false, true)) {
                    end.accept(null);
                }
            }
        };
    }

    @Override
    public void close() throws Exception {
        docker.close();
    }
}
