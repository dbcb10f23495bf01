package io.atoll.platform.e2e;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;

/**
 * A client sending one request after another through the gateway, a pause apart, as steady
 * load while something happens to the platform. Anything but a 200 from the demo app is a
 * failure, and is kept with its time.
 */
final class GatewayLoad implements AutoCloseable {

    /** A request that did not get its 200. */
    record Failure(Instant at, String what) {
        @Override
        public String toString() {
            return at + " " + what;
        }
    }

    /** What the load saw between start and stop. */
    record Summary(Instant startedAt, Instant stoppedAt, int ok, List<Failure> failures, Set<String> instances,
            Set<String> releases) {

        Instant lastFailure() {
            return failures.isEmpty() ? null : failures.get(failures.size() - 1).at();
        }

        double perSecond() {
            long millis = Math.max(1, Duration.between(startedAt, stoppedAt).toMillis());
            return (ok + failures.size()) * 1000.0 / millis;
        }
    }

    private final AtollPlatform platform;
    private final String host;
    private final Duration pause;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger ok = new AtomicInteger();
    private final List<Failure> failures = new CopyOnWriteArrayList<>();
    private final Set<String> instances = ConcurrentHashMap.newKeySet();
    private final Set<String> releases = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private Instant startedAt;

    private GatewayLoad(AtollPlatform platform, String host, Duration pause) {
        this.platform = platform;
        this.host = host;
        this.pause = pause;
        this.thread = new Thread(this::run, "gateway-load-" + host);
        this.thread.setDaemon(true);
    }

    static GatewayLoad start(AtollPlatform platform, String host, Duration pause) {
        GatewayLoad load = new GatewayLoad(platform, host, pause);
        load.startedAt = Instant.now();
        load.thread.start();
        return load;
    }

    private void run() {
        while (!stop.get()) {
            try {
                HttpResponse<String> response = platform.viaGateway(host);
                Matcher hello = AtollPlatform.HELLO.matcher(response.body());
                if (response.statusCode() == 200 && hello.find()) {
                    ok.incrementAndGet();
                    instances.add(hello.group(1));
                    releases.add(hello.group(2));
                } else {
                    failures.add(new Failure(Instant.now(), response.statusCode() + " " + response.body()));
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failures.add(new Failure(Instant.now(), e.toString()));
            }
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    int ok() {
        return ok.get();
    }

    Summary stop() throws InterruptedException {
        stop.set(true);
        thread.join(10_000);
        return new Summary(startedAt, Instant.now(), ok.get(), List.copyOf(failures), Set.copyOf(instances),
                Set.copyOf(releases));
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
