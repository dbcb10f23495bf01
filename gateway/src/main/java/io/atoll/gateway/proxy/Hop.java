package io.atoll.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and are never forwarded;
 * and the framing of what is forwarded, which is always the gateway's own.
 */
final class Hop {

    private static final List<AsciiString> HEADERS = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            AsciiString.cached("proxy-connection"), HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
            HttpHeaderNames.UPGRADE);

    /**
     * Headers a {@code Connection} token never removes. The body was framed by the gateway's
     * decoder from these before anyone looked at {@code Connection}; letting the sender have them
     * removed afterwards would make the next hop frame the same bytes differently (request
     * smuggling), and the host is what the message was routed by.
     */
    private static final Set<String> PROTECTED = Set.of("content-length", "transfer-encoding", "host");

    private Hop() {
    }

    /** Removes the hop-by-hop headers and those any {@code Connection} header names, but never framing or host. */
    static void strip(HttpHeaders headers) {
        String connection = headers.get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            // The common single values ("keep-alive", "close", "upgrade") name no other header.
            List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
            if (values.size() > 1 || !isStandardToken(connection)) {
                for (String value : values) {
                    removeNamedBy(headers, value);
                }
            }
        }
        for (AsciiString name : HEADERS) {
            headers.remove(name);
        }
    }

    private static void removeNamedBy(HttpHeaders headers, String connection) {
        for (String token : connection.split(",")) {
            String name = token.strip().toLowerCase(Locale.ROOT);
            if (!name.isEmpty() && !PROTECTED.contains(name)) {
                headers.remove(name);
            }
        }
    }

    private static boolean isStandardToken(String value) {
        return value.equalsIgnoreCase("keep-alive") || value.equalsIgnoreCase("close")
                || value.equalsIgnoreCase("upgrade");
    }

    /**
     * Sets the framing headers to say how the gateway relays the body, whatever the sender's
     * headers said: chunked when it relays chunks, the decoded length when it relays a counted
     * body, nothing when there is no body.
     *
     * @param contentLength the length the decoder framed the body by; negative for none
     */
    static void frame(HttpHeaders headers, boolean chunked, long contentLength) {
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        if (chunked) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (contentLength >= 0) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        }
    }
}
