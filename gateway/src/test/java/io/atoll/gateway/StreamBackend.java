package io.atoll.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/1.1 instance on plain blocking sockets, one thread per connection, whose paths behave
 * as the HTTP/2 tests need and which reports what it saw of each:
 * <ul>
 *   <li>{@code /hold/<name>}: answers nothing until the gateway closes the connection, then
 *       counts {@code name} down in {@link #closedWhileHeld};</li>
 *   <li>{@code /slow}: answers {@code slow} after 400 ms, tracking how many run at once;</li>
 *   <li>{@code /die}: starts a 100-byte answer, sends 7 bytes and closes;</li>
 *   <li>{@code /big/<bytes>}: sends that many bytes as fast as the gateway takes them,
 *       counting what it managed to write in {@link #bigWritten};</li>
 *   <li>{@code /upload}: reads a Content-Length body and answers its size and SHA-256;</li>
 *   <li>anything else: {@code ok <path>}.</li>
 * </ul>
 */
final class StreamBackend implements AutoCloseable {

    private final ServerSocket server;
    private final Thread acceptor;
    final ConcurrentHashMap<String, CountDownLatch> held = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, CountDownLatch> closedWhileHeld = new ConcurrentHashMap<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    final AtomicLong bigWritten = new AtomicLong();

    StreamBackend() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread worker = new Thread(() -> serve(socket), "stream-backend");
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "stream-backend-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Makes {@code /hold/<name>} reachable: the latch counts down when its request arrives. */
    CountDownLatch expectHold(String name) {
        closedWhileHeld.put(name, new CountDownLatch(1));
        return held.computeIfAbsent(name, n -> new CountDownLatch(1));
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                long length = contentLength(head);
                if (path.startsWith("/hold/")) {
                    String name = path.substring("/hold/".length());
                    held.computeIfAbsent(name, n -> new CountDownLatch(1)).countDown();
                    while (in.read() >= 0) {
                        // nothing is answered: wait for the gateway to give up on this request
                    }
                    closedWhileHeld.computeIfAbsent(name, n -> new CountDownLatch(1)).countDown();
                    return;
                }
                if (path.equals("/upload")) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    byte[] chunk = new byte[65536];
                    long left = length;
                    while (left > 0) {
                        int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                        if (n < 0) {
                            return;
                        }
                        sha.update(chunk, 0, n);
                        left -= n;
                    }
                    answer(out, length + " " + HexFormat.of().formatHex(sha.digest()));
                    continue;
                }
                in.skipNBytes(Math.max(0, length));
                if (path.equals("/slow")) {
                    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    Thread.sleep(400);
                    running.decrementAndGet();
                    answer(out, "slow");
                } else if (path.equals("/die")) {
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                } else if (path.startsWith("/big/")) {
                    long size = Long.parseLong(path.substring("/big/".length()));
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    byte[] chunk = new byte[16384];
                    java.util.Arrays.fill(chunk, (byte) 'x');
                    for (long sent = 0; sent < size; sent += chunk.length) {
                        int n = (int) Math.min(chunk.length, size - sent);
                        out.write(chunk, 0, n);
                        bigWritten.addAndGet(n);
                    }
                    out.flush();
                } else {
                    answer(out, "ok " + path);
                }
            }
        } catch (Exception e) {
            // the gateway closed the connection: what the tests look at is already counted
        }
    }

    private static void answer(OutputStream out, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return 0;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) ? state + 1 : (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : 0;
            if (state == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
