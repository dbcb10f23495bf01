package io.atoll.agent.health;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * One HTTP health probe: GET on the instance's published port, healthy on 2xx. The probe goes
 * to the loopback address rather than the advertised one because the agent and the container
 * share the host, whatever the gateway's view of it. Every result says what was seen, so that
 * an instance that fails its checks can be reported with the reason.
 */
@Component
public class HealthProbe {

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    public ProbeResult check(int hostPort, String path, Duration timeout) {
        if (hostPort <= 0) {
            return ProbeResult.failed("no published port");
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hostPort + path))
                    .timeout(timeout)
                    .GET()
                    .build();
        } catch (IllegalArgumentException e) {
            return ProbeResult.failed("invalid health check path " + path);
        }
        try {
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return new ProbeResult(status >= 200 && status < 300, "HTTP " + status);
        } catch (HttpTimeoutException e) {
            return ProbeResult.failed("timed out after " + timeout.toMillis() + " ms");
        } catch (ConnectException e) {
            return ProbeResult.failed("connection refused");
        } catch (IOException e) {
            String message = e.getMessage();
            return ProbeResult.failed(message == null || message.isBlank() ? e.getClass().getSimpleName() : message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failed("interrupted");
        }
    }

    public boolean isHealthy(int hostPort, String path, Duration timeout) {
        return check(hostPort, path, timeout).healthy();
    }
}
