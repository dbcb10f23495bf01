package io.atoll.gateway.routing;

/**
 * One HEALTHY instance the gateway may send requests to.
 *
 * @param authority {@code host:port} as it goes into a URI (IPv6 hosts bracketed)
 */
public record Backend(String app, String instanceId, String zone, String releaseId, String authority) {

    /** Stable identity across table rebuilds, used to keep per-instance load counters. */
    public String key() {
        return app + "/" + instanceId;
    }

    /**
     * Parses an agent-published {@code host:port}; null when it is not one, so a bad value
     * costs only that instance.
     */
    static String authorityOf(String address) {
        if (address == null) {
            return null;
        }
        String value = address.strip();
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            return null;
        }
        String host = value.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (port < 1 || port > 65535) {
            return null;
        }
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return host + ":" + port;
    }
}
