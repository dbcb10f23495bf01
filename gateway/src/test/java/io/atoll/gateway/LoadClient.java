package io.atoll.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A steady stream of requests through the gateway over loopback, as a few busy clients would
 * send: a fixed number in flight, GETs and POSTs alternating (a POST is never retried by the
 * gateway, so it shows every request that reached a wrong instance). Bounded in count and time.
 * Counts which instance answered and every request that did not end in a 200.
 */
final class LoadClient implements AutoCloseable {

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();
    final Map<String, AtomicInteger> servedBy = new ConcurrentHashMap<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> done;

    LoadClient(int port, String host, String path, int concurrency, int maxRequests, Duration maxDuration) {
        WebClient client = WebClient.create("http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + maxDuration.toNanos();
        done = Flux.range(0, maxRequests)
                .takeWhile(i -> !stop.get() && System.nanoTime() < deadline)
                .flatMap(i -> call(client, host, path, i), concurrency)
                .then()
                .toFuture();
    }

    private Mono<Void> call(WebClient client, String host, String path, int i) {
        sent.incrementAndGet();
        HttpMethod method = i % 2 == 0 ? HttpMethod.GET : HttpMethod.POST;
        WebClient.RequestBodySpec request = client.method(method).uri(path).header("Host", host);
        if (method == HttpMethod.POST) {
            request.bodyValue("order " + i);
        }
        return request.exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                        .doOnNext(body -> {
                            if (response.statusCode().value() == 200) {
                                servedBy.computeIfAbsent(body, b -> new AtomicInteger()).incrementAndGet();
                            } else {
                                failures.add(method + " #" + i + ": " + response.statusCode().value() + " " + body);
                            }
                        }))
                .timeout(Duration.ofSeconds(10))
                .onErrorResume(error -> {
                    failures.add(method + " #" + i + ": " + error);
                    return Mono.empty();
                })
                .then();
    }

    int sent() {
        return sent.get();
    }

    int servedBy(String name) {
        AtomicInteger count = servedBy.get(name);
        return count == null ? 0 : count.get();
    }

    /** Stops sending and waits for the requests in flight. */
    LoadClient finish() throws Exception {
        stop.set(true);
        done.get(30, TimeUnit.SECONDS);
        return this;
    }

    @Override
    public void close() throws Exception {
        finish();
    }
}
