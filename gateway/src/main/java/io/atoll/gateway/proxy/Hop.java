package io.atoll.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and are never forwarded. */
final class Hop {

    private static final List<AsciiString> HEADERS = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            AsciiString.cached("proxy-connection"), HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
            HttpHeaderNames.UPGRADE);

    private Hop() {
    }

    /**
     * Removes the hop-by-hop headers and those the {@code Connection} header names.
     * {@code Transfer-Encoding} stays: the body is relayed chunk by chunk and re-framed the same way.
     */
    static void strip(HttpHeaders headers) {
        String connection = headers.get(HttpHeaderNames.CONNECTION);
        // The common values ("keep-alive", "close", "upgrade") name no other header: no split.
        if (connection != null && !isStandardToken(connection)) {
            for (String token : connection.split(",")) {
                String name = token.strip();
                if (!name.isEmpty()) {
                    headers.remove(name);
                }
            }
        }
        for (AsciiString name : HEADERS) {
            headers.remove(name);
        }
    }

    private static boolean isStandardToken(String value) {
        return value.equalsIgnoreCase("keep-alive") || value.equalsIgnoreCase("close")
                || value.equalsIgnoreCase("upgrade");
    }
}
