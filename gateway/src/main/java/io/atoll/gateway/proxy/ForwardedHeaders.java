package io.atoll.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The headers that tell an instance who really asked, and how. An app cannot tell a forged
 * {@code X-Forwarded-For} from a real one, so by default the gateway throws away whatever a
 * client sent under these names and writes what it saw itself. Only a client whose address is
 * one of {@code atoll.gateway.trusted-proxies} (a load balancer in front of the gateway) has its
 * values kept, with the gateway's own observation appended.
 */
final class ForwardedHeaders {

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");

    /** Every name an app might read a client's identity or scheme from; none survives from an untrusted client. */
    private static final List<AsciiString> FROM_CLIENT = List.of(X_FORWARDED_FOR, X_FORWARDED_PROTO, X_FORWARDED_HOST,
            X_FORWARDED_PORT, X_REAL_IP, AsciiString.cached("forwarded"), AsciiString.cached("x-forwarded-prefix"),
            AsciiString.cached("x-forwarded-server"), AsciiString.cached("x-forwarded-ssl"),
            AsciiString.cached("x-forwarded-scheme"), AsciiString.cached("x-client-ip"),
            AsciiString.cached("true-client-ip"), AsciiString.cached("x-original-forwarded-for"));

    /** The same names in lower case with '-', to catch '_' spellings that CGI-style servers fold together. */
    private static final java.util.Set<String> FOLDED = FROM_CLIENT.stream().map(AsciiString::toString)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    private final List<IpSubnetFilterRule> trusted;
    /** The scheme the client used on this port. */
    private final String proto;

    private ForwardedHeaders(List<IpSubnetFilterRule> trusted, String proto) {
        this.trusted = trusted;
        this.proto = proto;
    }

    /** The same trust, for a port clients reach with another scheme. */
    ForwardedHeaders withProto(String scheme) {
        return new ForwardedHeaders(trusted, scheme);
    }

    /** @param trustedProxies addresses or CIDR blocks ({@code 10.0.0.0/8}, {@code ::1}) */
    ForwardedHeaders(List<String> trustedProxies) {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String entry : trustedProxies) {
            String cidr = entry.strip();
            if (cidr.isEmpty()) {
                continue;
            }
            if (cidr.indexOf('/') < 0) {
                cidr = cidr + (cidr.indexOf(':') >= 0 ? "/128" : "/32");
            }
            try {
                rules.add(new IpSubnetFilterRule(cidr, IpFilterRuleType.ACCEPT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("atoll.gateway.trusted-proxies: '" + entry
                        + "' is not an IP address or CIDR block", e);
            }
        }
        this.trusted = List.copyOf(rules);
        this.proto = "http";
    }

    boolean trusts(InetSocketAddress client) {
        if (client == null || client.getAddress() == null) {
            return false;
        }
        for (IpSubnetFilterRule rule : trusted) {
            if (rule.matches(client)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param clientAddress the peer's address as the gateway saw it
     * @param authority the Host the request was routed by
     */
    void apply(HttpHeaders headers, boolean trustedClient, String clientAddress, String authority, String localPort) {
        if (!trustedClient) {
            for (AsciiString name : FROM_CLIENT) {
                headers.remove(name);
            }
            removeUnderscoreSpellings(headers);
            if (clientAddress != null) {
                headers.set(X_FORWARDED_FOR, clientAddress);
                headers.set(X_REAL_IP, clientAddress);
            }
            headers.set(X_FORWARDED_PROTO, proto);
            headers.set(X_FORWARDED_HOST, authority);
            if (localPort != null) {
                headers.set(X_FORWARDED_PORT, localPort);
            }
            return;
        }
        // Behind a trusted proxy: its view of the client comes first, ours is appended.
        if (clientAddress != null) {
            String chain = headers.get(X_FORWARDED_FOR);
            headers.set(X_FORWARDED_FOR, chain == null ? clientAddress : chain + ", " + clientAddress);
            setIfAbsent(headers, X_REAL_IP, clientAddress);
        }
        setIfAbsent(headers, X_FORWARDED_PROTO, proto);
        setIfAbsent(headers, X_FORWARDED_HOST, authority);
        if (localPort != null) {
            setIfAbsent(headers, X_FORWARDED_PORT, localPort);
        }
    }

    /**
     * CGI, PHP-FPM, WSGI and Rack turn both {@code X-Forwarded-For} and {@code X_Forwarded_For}
     * into {@code HTTP_X_FORWARDED_FOR}: an underscore spelling of a forwarding header would reach
     * the app as the real one.
     */
    private static void removeUnderscoreSpellings(HttpHeaders headers) {
        List<String> doomed = null;
        for (java.util.Iterator<java.util.Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
                it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (AsciiString.indexOf(name, '_', 0) >= 0
                    && FOLDED.contains(name.toString().replace('_', '-').toLowerCase(java.util.Locale.ROOT))) {
                if (doomed == null) {
                    doomed = new java.util.ArrayList<>(2);
                }
                doomed.add(name.toString());
            }
        }
        if (doomed != null) {
            doomed.forEach(headers::remove);
        }
    }

    private static void setIfAbsent(HttpHeaders headers, AsciiString name, String value) {
        if (!headers.contains(name)) {
            headers.set(name, value);
        }
    }
}
