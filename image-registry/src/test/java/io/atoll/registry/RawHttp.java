package io.atoll.registry;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP/1.1 over a plain socket, bytes exactly as given: what a client library would refuse to
 * send (NUL, raw spaces, conflicting lengths, broken chunks) reaches the server as written. One
 * connection, kept alive across requests, so a test can see whether a hostile request left the
 * connection in a state where the next request gets another request's answer.
 */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** One parsed response: status, headers in order, body (de-chunked). */
    public record Response(int status, List<String[]> headers, byte[] body) {

        public Optional<String> header(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst();
        }

        public String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    public void send(byte[] request) throws IOException {
        out.write(request);
        out.flush();
    }

    /** Signals the end of what this client sends (a body cut short), keeping the read side open. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /**
     * Reads the next final response (skipping 1xx), or empty when the server closed or reset the
     * connection before a status line arrived.
     *
     * @param head whether it answers a HEAD (no body follows, whatever the headers say)
     */
    public Optional<Response> read(boolean head) throws IOException {
        while (true) {
            String statusLine;
            try {
                statusLine = line();
            } catch (EOFException | SocketException e) {
                return Optional.empty();
            }
            if (statusLine == null) {
                return Optional.empty();
            }
            if (!statusLine.startsWith("HTTP/1.1 ") && !statusLine.startsWith("HTTP/1.0 ")) {
                throw new IOException("not a status line: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            List<String[]> headers = new ArrayList<>();
            for (String line = line(); line != null && !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
            }
            if (status >= 100 && status < 200) {
                continue;
            }
            Response response = new Response(status, headers, body(head, status, headers));
            return Optional.of(response);
        }
    }

    /** Whether the server has closed the connection (EOF or reset), waiting at most a moment. */
    public boolean closedByServer() throws IOException {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(2000);
        try {
            return in.read() < 0;
        } catch (SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            socket.setSoTimeout(timeout);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private byte[] body(boolean head, int status, List<String[]> headers) throws IOException {
        if (head || status == 204 || status == 304) {
            return new byte[0];
        }
        String transfer = value(headers, "Transfer-Encoding");
        if (transfer != null && transfer.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String size = line();
                int n = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
                if (n == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(n));
                line();
            }
        }
        String length = value(headers, "Content-Length");
        if (length != null) {
            byte[] body = in.readNBytes(Integer.parseInt(length));
            if (body.length < Integer.parseInt(length)) {
                throw new EOFException("body shorter than its Content-Length");
            }
            return body;
        }
        return in.readAllBytes();
    }

    private static String value(List<String[]> headers, String name) {
        return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
    }

    /** A CRLF-terminated line; null at a clean EOF before any byte. */
    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed mid-line");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
    }
}
