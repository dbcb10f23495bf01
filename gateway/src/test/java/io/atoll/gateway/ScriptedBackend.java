package io.atoll.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An instance that answers with exactly the bytes it is told to, which no HTTP server will:
 * interim answers, both framing headers, a 101 nobody asked for, a bad chunk, an answer before
 * the body. Reads each request's head and body (by Content-Length or chunks), records them, and
 * writes the script of the longest matching path prefix; anything else gets
 * {@code 200 ok <method> <path>}. One thread per connection; keep-alive unless a script closes.
 */
final class ScriptedBackend implements AutoCloseable {

    /**
     * @param bytes what to write, as is
     * @param closeAfter close the connection once written
     * @param beforeBody write before reading the request body (an early answer)
     * @param echo after writing, copy everything the gateway sends back to it (a tunnel)
     * @param parts written one after the other, {@code pauseMillis} apart, when not empty
     */
    record Script(String bytes, boolean closeAfter, boolean beforeBody, boolean echo, List<String> parts,
            long pauseMillis) {

        static Script of(String bytes) {
            return new Script(bytes, false, false, false, List.of(), 0);
        }

        static Script closing(String bytes) {
            return new Script(bytes, true, false, false, List.of(), 0);
        }

        static Script early(String bytes) {
            return new Script(bytes, true, true, false, List.of(), 0);
        }

        static Script tunnel(String bytes) {
            return new Script(bytes, false, false, true, List.of(), 0);
        }

        static Script streamed(long pauseMillis, boolean closeAfter, String... parts) {
            return new Script("", closeAfter, false, false, List.of(parts), pauseMillis);
        }
    }

    /** One request as read off the wire. */
    record Received(int connection, String method, String path, String head, String body) {
    }

    private final ServerSocket server;
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    ScriptedBackend() {
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "scripted-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    void script(String pathPrefix, Script script) {
        scripts.put(pathPrefix, script);
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    List<Received> requests() {
        return List.copyOf(received);
    }

    List<Received> requestsTo(String prefix) {
        return received.stream().filter(r -> r.path().startsWith(prefix)).toList();
    }

    /** Connections accepted so far. */
    int connections() {
        return connections.get();
    }

    /** Connections open now. */
    int open() {
        return open.get();
    }

    void clear() {
        received.clear();
    }

    private void acceptLoop() {
        while (running) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                int id = connections.incrementAndGet();
                open.incrementAndGet();
                Thread thread = new Thread(() -> serve(socket, id), "scripted-backend-" + id);
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int id) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] line = head.substring(0, head.indexOf("\r\n")).split(" ");
                String method = line[0];
                String path = line.length > 1 ? line[1] : "";
                Script script = scriptFor(path);
                if (script != null && script.beforeBody()) {
                    write(out, script);
                    received.add(new Received(id, method, path, head, null));
                    if (script.closeAfter()) {
                        // Read on a little, as servers do before closing, so the gateway is not reset.
                        socket.setSoTimeout(300);
                        try {
                            in.readNBytes(1 << 20);
                        } catch (IOException ignored) {
                            // closed or quiet
                        }
                        return;
                    }
                    continue;
                }
                String body = readBody(in, head);
                if (body == null) {
                    return;
                }
                received.add(new Received(id, method, path, head, body));
                if (script == null) {
                    String text = "ok " + method + " " + path;
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + text.length() + "\r\n\r\n" + text)
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    continue;
                }
                write(out, script);
                if (script.echo()) {
                    in.transferTo(out);
                    return;
                }
                if (script.closeAfter()) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the gateway went away
        } finally {
            open.decrementAndGet();
        }
    }

    private static void write(OutputStream out, Script script) throws IOException, InterruptedException {
        if (!script.bytes().isEmpty()) {
            out.write(script.bytes().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        for (String part : script.parts()) {
            out.write(part.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(script.pauseMillis());
        }
    }

    private Script scriptFor(String path) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        Script best = null;
        int bestLength = -1;
        for (Map.Entry<String, Script> entry : scripts.entrySet()) {
            if (bare.startsWith(entry.getKey()) && entry.getKey().length() > bestLength) {
                best = entry.getValue();
                bestLength = entry.getKey().length();
            }
        }
        return best;
    }

    /** Up to and including the empty line; null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static String readBody(InputStream in, String head) throws IOException {
        String lower = head.toLowerCase(Locale.ROOT);
        if (lower.contains("\r\ntransfer-encoding: chunked\r\n")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(in);
                if (sizeLine == null) {
                    return null;
                }
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
                if (size == 0) {
                    for (String trailer; (trailer = readLine(in)) != null && !trailer.isEmpty(); ) {
                        // trailers are not kept
                    }
                    return body.toString(StandardCharsets.ISO_8859_1);
                }
                byte[] data = in.readNBytes(size);
                if (data.length < size) {
                    return null;
                }
                body.write(data);
                readLine(in);
            }
        }
        int at = lower.indexOf("\r\ncontent-length: ");
        if (at < 0) {
            return "";
        }
        int end = lower.indexOf("\r\n", at + 2);
        int length = Integer.parseInt(lower.substring(at + "\r\ncontent-length: ".length(), end).strip());
        byte[] data = in.readNBytes(length);
        return data.length < length ? null : new String(data, StandardCharsets.ISO_8859_1);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() {
        running = false;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
