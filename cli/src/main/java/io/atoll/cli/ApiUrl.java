package io.atoll.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/** The API's base URL ({@code http://127.0.0.1:8080}, or below a path behind a proxy), checked once. */
record ApiUrl(String base) {

    static ApiUrl parse(String text) {
        String trimmed = text.strip();
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new CliException(ExitCodes.USAGE, "not a URL: " + Terminal.printable(trimmed));
        }
        if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                || uri.getHost() == null) {
            throw new CliException(ExitCodes.USAGE, "not an http(s) URL: " + Terminal.printable(trimmed),
                    "give the API's address, e.g. http://127.0.0.1:8080");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new CliException(ExitCodes.USAGE, "the URL is the API's address alone: no user, query or fragment");
        }
        String base = trimmed;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return new ApiUrl(base);
    }

    URI resolve(String path) {
        return URI.create(base + path);
    }

    /** Plain HTTP to anything but this machine: a token would cross the network readable. */
    boolean cleartextRemote() {
        URI uri = URI.create(base);
        String host = uri.getHost();
        return uri.getScheme().equalsIgnoreCase("http")
                && !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
    }

    /** One path segment, percent-encoded (a name the user typed never adds a segment or a query). */
    static String segment(String value) {
        if (value.isEmpty() || value.equals(".") || value.equals("..")) {
            throw new CliException(ExitCodes.USAGE, "not a name: '" + value + "'");
        }
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** A query parameter's value, percent-encoded. */
    static String query(String value) {
        return value.isEmpty() ? "" : segment(value);
    }

    @Override
    public String toString() {
        return base;
    }
}
