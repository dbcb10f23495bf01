package io.atoll.agent.health;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.ClientProtocolException;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;
import org.springframework.stereotype.Component;

/**
 * One HTTP health probe: GET on the instance's published port, healthy on 2xx. The probe goes
 * to the loopback address rather than the advertised one because the agent and the container
 * share the host, whatever the gateway's view of it. Every result says what was seen, so that
 * an instance that fails its checks can be reported with the reason.
 *
 * <p>Apache HttpClient's classic (blocking) client, already here for docker-java: 1-2 ms a probe
 * once warm, where {@code java.net.http.HttpClient} took 4-20 ms in an agent that probes once a
 * second (selector hand-offs), and the first probe of a new container is on every deploy's path.
 * The instance is the app's code, so nothing it answers may hold the agent: the whole exchange,
 * connecting included, is cancelled at the timeout (a status or headers dripped a byte at a time
 * would otherwise reset a read timeout forever), the head of the answer is bounded, redirects are
 * not followed (a probe must not be sent anywhere else), the body is never read, and no
 * connection is kept: a probe is rare and a container's port is reused by the next one.
 */
@Component
public class HealthProbe implements AutoCloseable {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Connecting is bounded by the deadline below; this only keeps a lost timer from hanging a probe. */
    private static final Timeout CONNECT_CAP = Timeout.ofSeconds(30);

    private final CloseableHttpClient client;
    private final ScheduledExecutorService deadlines;

    public HealthProbe() {
        Http1Config limits = Http1Config.custom().setMaxLineLength(4096).setMaxHeaderCount(100).build();
        client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setConnectionFactory(ManagedHttpClientConnectionFactory.builder().http1Config(limits).build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(CONNECT_CAP).build())
                        .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
                        .setMaxConnTotal(256)
                        .setMaxConnPerRoute(4)
                        .build())
                .setConnectionReuseStrategy((request, response, context) -> false)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .setUserAgent("atoll-node-agent")
                .build();
        deadlines = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "atoll-probe-deadlines");
            thread.setDaemon(true);
            return thread;
        });
    }

    public ProbeResult check(int hostPort, String path, Duration timeout) {
        if (hostPort <= 0) {
            return ProbeResult.failed("no published port");
        }
        String target = requestTarget(hostPort, path);
        if (target == null) {
            return ProbeResult.failed("invalid health check path " + path);
        }
        long timeoutMillis = Math.max(1, timeout.toMillis());
        HttpGet get = new HttpGet(target);
        get.setHeader(HttpHeaders.CONNECTION, "close");
        get.setConfig(RequestConfig.custom()
                .setConnectionRequestTimeout(Timeout.ofMilliseconds(timeoutMillis))
                .setResponseTimeout(Timeout.ofMilliseconds(timeoutMillis))
                .build());
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            expired.set(true);
            get.cancel();
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        ClassicHttpResponse response;
        try {
            response = client.executeOpen(new HttpHost("http", LOOPBACK, hostPort), get, null);
        } catch (IOException e) {
            if (expired.get() || e instanceof InterruptedIOException) {
                return ProbeResult.failed("timed out after " + timeoutMillis + " ms");
            }
            return ProbeResult.failed(describe(e));
        } finally {
            deadline.cancel(false);
        }
        int status = response.getCode();
        // The connection is dropped before the response is closed: closing it first would read
        // whatever body the app sends to its end.
        get.cancel();
        try {
            response.close();
        } catch (IOException e) {
            // the connection is gone already
        }
        return new ProbeResult(status >= 200 && status < 300, "HTTP " + status);
    }

    public boolean isHealthy(int hostPort, String path, Duration timeout) {
        return check(hostPort, path, timeout).healthy();
    }

    @Override
    public void close() throws IOException {
        deadlines.shutdownNow();
        client.close();
    }

    private static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof NoHttpResponseException) {
            // What Docker's userland proxy does while the app in the container does not listen yet.
            return "connection closed before an answer";
        }
        if (e instanceof ClientProtocolException || e.getCause() instanceof ProtocolException) {
            return "not an HTTP answer";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** The path (and query) as sent, or null when it is not one: no scheme, host or anything to smuggle. */
    private static String requestTarget(int hostPort, String path) {
        if (path == null || !path.startsWith("/") || path.startsWith("//")) {
            return null;
        }
        URI uri;
        try {
            uri = URI.create("http://127.0.0.1:" + hostPort + path);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (uri.getRawPath() == null || uri.getRawFragment() != null || hostPort != uri.getPort()) {
            return null;
        }
        return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
    }
}
