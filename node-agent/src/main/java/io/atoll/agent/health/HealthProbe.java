package io.atoll.agent.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * One HTTP health probe: GET on the instance's published port, healthy on 2xx. The probe goes
 * to the loopback address rather than the advertised one because the agent and the container
 * share the host, whatever the gateway's view of it. Every result says what was seen, so that
 * an instance that fails its checks can be reported with the reason.
 *
 * <p>A plain blocking HTTP/1.1 exchange on a socket of its own ({@code Connection: close}), read
 * up to the answer's status line, which is all that counts; then the socket is closed. {@code java.net.http.HttpClient}
 * took 4-20 ms for one probe in an agent that probes once a second (its selector thread and
 * executor hand-offs, code the JIT has not compiled yet), against 1-2 ms for this, and the first
 * probe of a new container is on the path of every deploy. The whole exchange, connecting
 * included, is bounded by the timeout.
 */
@Component
public class HealthProbe {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** A status line is short; anything longer is not an HTTP answer. */
    private static final int MAX_STATUS_LINE = 1024;

    public ProbeResult check(int hostPort, String path, Duration timeout) {
        if (hostPort <= 0) {
            return ProbeResult.failed("no published port");
        }
        String target = requestTarget(hostPort, path);
        if (target == null) {
            return ProbeResult.failed("invalid health check path " + path);
        }
        long timeoutMillis = Math.max(1, timeout.toMillis());
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, hostPort), (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + hostPort
                    + "\r\nUser-Agent: atoll-node-agent\r\nAccept: */*\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int status = readStatus(socket, deadline);
            return new ProbeResult(status >= 200 && status < 300, "HTTP " + status);
        } catch (SocketTimeoutException e) {
            return ProbeResult.failed("timed out after " + timeoutMillis + " ms");
        } catch (ConnectException e) {
            return ProbeResult.failed("connection refused");
        } catch (IOException e) {
            String message = e.getMessage();
            return ProbeResult.failed(message == null || message.isBlank() ? e.getClass().getSimpleName() : message);
        }
    }

    public boolean isHealthy(int hostPort, String path, Duration timeout) {
        return check(hostPort, path, timeout).healthy();
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

    /** Reads the answer's status line, every read bounded by what is left of the deadline. */
    private static int readStatus(Socket socket, long deadline) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] head = new byte[MAX_STATUS_LINE];
        int length = 0;
        while (length < head.length) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException();
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            int n = in.read(head, length, head.length - length);
            if (n < 0) {
                throw new IOException(length == 0 ? "connection closed before an answer"
                        : "connection closed in the status line");
            }
            for (int i = length; i < length + n; i++) {
                if (head[i] == '\n') {
                    return parseStatus(new String(head, 0, i, StandardCharsets.ISO_8859_1).strip());
                }
            }
            length += n;
        }
        throw new IOException("not an HTTP answer");
    }

    private static int parseStatus(String line) throws IOException {
        // HTTP/1.1 200 OK
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("[1-5][0-9][0-9]")) {
            throw new IOException("not an HTTP answer");
        }
        return Integer.parseInt(parts[1]);
    }
}
