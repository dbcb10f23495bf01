package io.atoll.gateway;

import static org.awaitility.Awaitility.await;

import io.atoll.gateway.proxy.ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client that sends exactly the bytes it is given, which no HTTP library will: malformed
 * framing, bare LFs, NULs. Reads what comes back until the gateway closes the connection or
 * stays quiet for a while.
 */
final class RawHttp {

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");

    /** What came back on one connection. */
    record Result(String text, boolean closed) {

        /** The status codes of every response, in order. */
        List<Integer> statuses() {
            List<Integer> codes = new ArrayList<>();
            Matcher matcher = STATUS_LINE.matcher(text);
            while (matcher.find()) {
                codes.add(Integer.parseInt(matcher.group(1)));
            }
            return codes;
        }

        int status() {
            List<Integer> codes = statuses();
            return codes.isEmpty() ? -1 : codes.get(0);
        }
    }

    private RawHttp() {
    }

    /**
     * Waits until the gateway has bound its port and answers a request for the host with a 200, i.e. its routing
     * table has the host and a healthy instance from ZooKeeper.
     */
    static void awaitRouted(ProxyServer proxy, String host) {
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.port() > 0 && exchange(proxy.port(),
                "GET /ready HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").status() == 200);
    }

    static Result exchange(int port, String request) {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), 1500);
    }

    static Result exchange(int port, byte[] request, int quietMillis) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(quietMillis);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return readUntilQuietOrClosed(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Result readUntilQuietOrClosed(Socket socket) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        boolean closed = false;
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.write(buffer, 0, n);
            }
            closed = true;
        } catch (SocketTimeoutException e) {
            closed = false;
        } catch (SocketException e) {
            // A reset: the gateway closed with unread bytes of ours still queued.
            closed = true;
        }
        return new Result(received.toString(StandardCharsets.ISO_8859_1), closed);
    }
}
