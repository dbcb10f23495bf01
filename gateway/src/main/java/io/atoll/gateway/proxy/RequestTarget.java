package io.atoll.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Locale;

/**
 * A request's target and authority, checked the way RFC 9112 §3 asks before anything is routed:
 * whatever Netty's decoder lets through but a strict server must refuse is refused here, so that
 * the gateway and the instance can never read one request two ways (which host it is for, where
 * the path begins).
 *
 * @param authority the {@code Host} the request is for, as the client wrote it
 * @param target the origin-form target ({@code /path?query}), or {@code *}
 */
record RequestTarget(String authority, String target) {

    /** The request is refused with a 400 and the reason, which is safe to show to the client. */
    static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    static RequestTarget of(HttpRequest request) throws Invalid {
        HttpVersion version = request.protocolVersion();
        if (!version.protocolName().equals("HTTP") || version.majorVersion() != 1 || version.minorVersion() > 1) {
            throw new Invalid("the gateway speaks HTTP/1.0 and HTTP/1.1, not " + version.text());
        }
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            throw new Invalid("the request has more than one Host header");
        }
        String host = hosts.isEmpty() ? null : hosts.get(0);
        if (host != null && !isAuthority(host)) {
            throw new Invalid("the Host header is not a host name with an optional port");
        }
        String uri = request.uri();
        checkCharacters(uri);
        if (uri.startsWith("/")) {
            if (host == null || host.isEmpty()) {
                throw new Invalid("the request names no host");
            }
            checkPath(uri);
            return new RequestTarget(host, uri);
        }
        if (uri.equals("*")) {
            if (!request.method().equals(HttpMethod.OPTIONS) || host == null || host.isEmpty()) {
                throw new Invalid("only OPTIONS may target '*', with a Host header");
            }
            return new RequestTarget(host, uri);
        }
        return absoluteForm(uri, host, version);
    }

    /**
     * {@code http://authority/path}: the authority must be a plain host (no user info) and name
     * the same host as the Host header, which RFC 9112 lets a server ignore; refusing the
     * disagreement instead means no part of the path to an instance can read the other one.
     */
    private static RequestTarget absoluteForm(String uri, String host, HttpVersion version) throws Invalid {
        String lower = uri.toLowerCase(Locale.ROOT);
        int start = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
        if (start < 0) {
            throw new Invalid("the request target must be an absolute path ('/...') or an http(s) URI");
        }
        int end = start;
        while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
            end++;
        }
        String authority = uri.substring(start, end);
        if (authority.isEmpty() || !isAuthority(authority)) {
            throw new Invalid("the request target's authority is not a host name with an optional port");
        }
        if (host == null) {
            if (version.minorVersion() > 0) {
                throw new Invalid("an HTTP/1.1 request must carry a Host header");
            }
            host = authority;
        } else if (!hostPart(authority).equalsIgnoreCase(hostPart(host))) {
            throw new Invalid("the request target names another host than the Host header");
        }
        String rest = uri.substring(end);
        String target = rest.isEmpty() ? "/" : rest.startsWith("?") ? "/" + rest : rest;
        checkPath(target);
        return new RequestTarget(host, target);
    }

    /**
     * Visible ASCII only: no controls (NUL, CR, LF, tabs), no spaces, no raw non-ASCII, no
     * fragment; and every {@code %} starts an escape of two hex digits (RFC 3986 §2.1), so the
     * gateway and the instance cannot decode the target differently.
     */
    private static void checkCharacters(String uri) throws Invalid {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                throw new Invalid("the request target contains a character that must be percent-encoded");
            }
            if (c == '%' && (i + 2 >= uri.length() || Character.digit(uri.charAt(i + 1), 16) < 0
                    || Character.digit(uri.charAt(i + 2), 16) < 0)) {
                throw new Invalid("the request target contains a '%' that is not followed by two hex digits");
            }
        }
    }

    /**
     * No {@code .} or {@code ..} segments, raw or percent-encoded: clients remove them before
     * sending (RFC 3986 §5.2.4), and a path that climbs out of a prefix must not be routed by it.
     */
    private static void checkPath(String target) throws Invalid {
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        int segment = 1;
        while (segment <= path.length()) {
            int slash = path.indexOf('/', segment);
            int end = slash < 0 ? path.length() : slash;
            if (isDotSegment(path, segment, end)) {
                throw new Invalid("the request path contains a '.' or '..' segment");
            }
            segment = end + 1;
        }
    }

    private static boolean isDotSegment(String path, int start, int end) {
        int dots = 0;
        int i = start;
        while (i < end) {
            if (path.charAt(i) == '.') {
                i++;
            } else if (i + 3 <= end && path.regionMatches(true, i, "%2e", 0, 3)) {
                i += 3;
            } else {
                return false;
            }
            dots++;
        }
        return dots == 1 || dots == 2;
    }

    /** {@code host[:port]}: a DNS-like name or IPv4 address, or a bracketed IPv6 literal; port digits only. */
    static boolean isAuthority(String value) {
        if (value.isEmpty()) {
            return false;
        }
        int portStart;
        if (value.charAt(0) == '[') {
            int close = value.indexOf(']');
            if (close < 2) {
                return false;
            }
            for (int i = 1; i < close; i++) {
                char c = value.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return false;
                }
            }
            portStart = close + 1;
        } else {
            int colon = value.indexOf(':');
            portStart = colon < 0 ? value.length() : colon;
            if (portStart == 0) {
                return false;
            }
            for (int i = 0; i < portStart; i++) {
                char c = value.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || c == '.' || c == '_')) {
                    return false;
                }
            }
        }
        if (portStart == value.length()) {
            return true;
        }
        if (value.charAt(portStart) != ':') {
            return false;
        }
        int digits = value.length() - portStart - 1;
        if (digits < 1 || digits > 5) {
            return false;
        }
        for (int i = portStart + 1; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return Integer.parseInt(value, portStart + 1, value.length(), 10) <= 65535;
    }

    private static String hostPart(String authority) {
        if (authority.startsWith("[")) {
            return authority.substring(0, authority.indexOf(']') + 1);
        }
        int colon = authority.indexOf(':');
        String name = colon < 0 ? authority : authority.substring(0, colon);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
