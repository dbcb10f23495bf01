package io.atoll.platform.logs;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Reads a node agent's log endpoint with the JDK's HTTP client, as NDJSON: one JSON
 * {@code LogLine} per line, delivered to a {@link Flow.Subscriber} line by line as the agent sends
 * them, with the subscriber's demand as back-pressure (a slow reader slows the agent's reading of
 * Docker, nothing piles up here). The agent's token goes in {@code Authorization}.
 */
@Component
class AgentLogClient implements DisposableBean {

    private final AgentsProperties agents;
    private final LogProperties properties;
    private final ExecutorService executor;
    private final HttpClient http;

    AgentLogClient(AgentsProperties agents, LogProperties properties) {
        this.agents = agents;
        this.properties = properties;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "atoll-agent-logs-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
    }

    /**
     * A request to one agent.
     *
     * @param status the agent's status once it has answered (within {@code agent-timeout}), or the
     *     failure to reach it
     * @param done completes when the exchange is over (the body read or dropped), or fails with why
     */
    record Call(CompletableFuture<Integer> status, CompletableFuture<?> done) {
    }

    /**
     * Asks the agent at {@code agentUrl} for lines: on 200 they go to {@code lines}, split at
     * {@code \n}, while any other answer's body is dropped.
     */
    Call open(String agentUrl, String query, Flow.Subscriber<String> lines) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(agentUrl + "/api/v1/logs?" + query))
                .header("Accept", "application/x-ndjson")
                .timeout(properties.agentTimeout())
                .GET();
        if (agents.token() != null) {
            request.header("Authorization", "Bearer " + agents.token());
        }
        CompletableFuture<Integer> status = new CompletableFuture<>();
        CompletableFuture<?> done = http.sendAsync(request.build(), info -> {
            status.complete(info.statusCode());
            return info.statusCode() == 200
                    ? HttpResponse.BodySubscribers.fromLineSubscriber(lines, subscriber -> null, StandardCharsets.UTF_8, "\n")
                    : HttpResponse.BodySubscribers.replacing(null);
        });
        done.whenComplete((response, error) -> {
            if (error != null) {
                status.completeExceptionally(error);
            }
        });
        return new Call(status, done);
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
