package io.atoll.platform.hosts;

import com.google.common.net.InternetDomainName;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Which names an app may claim at all, whoever owns what (that is {@link HostClaims}' job). A
 * host is routed by the gateway to one app, so a name that covers other people's sites (a
 * wildcard over a public suffix), a name that is not a DNS name, an IP literal or
 * {@code localhost} is refused outright.
 */
@Component
public class HostPolicy {

    /** RFC 1123 label: letters, digits and '-', not at either end, 1-63 characters. */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_LENGTH = 253;

    private final String defaultDomain;

    public HostPolicy(HostProperties properties) {
        String domain = properties.defaultDomain().toLowerCase(Locale.ROOT);
        String problem = dnsNameProblem(domain);
        if (problem != null) {
            throw new IllegalStateException("atoll.platform.default-domain '" + domain + "' " + problem);
        }
        this.defaultDomain = domain;
    }

    public String defaultDomain() {
        return defaultDomain;
    }

    /** The host every app answers at, whatever it claims: {@code {app}.{default-domain}}. */
    public String defaultHost(String app) {
        return app + "." + defaultDomain;
    }

    /** The app whose default host this is, if it is one: the name of {@code shop} in {@code shop.localhost}. */
    public Optional<String> defaultHostOwner(HostName host) {
        if (host.wildcard() || !HostName.isBelow(host.name(), defaultDomain)) {
            return Optional.empty();
        }
        String label = host.name().substring(0, host.name().length() - defaultDomain.length() - 1);
        return label.contains(".") ? Optional.empty() : Optional.of(label);
    }

    /**
     * @return the host in its one spelling (lower case)
     * @throws InvalidHostException saying why it may not be claimed
     */
    public HostName check(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw new InvalidHostException("must not be empty");
        }
        if (raw.length() > MAX_LENGTH) {
            throw new InvalidHostException("is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c > 0x7e || c < 0x21) {
                throw new InvalidHostException(c > 0x7e
                        ? "must be ASCII: write an internationalised name in its xn-- (punycode) form"
                        : "must not contain spaces or control characters");
            }
        }
        String name = raw.toLowerCase(Locale.ROOT);
        if (name.indexOf(':') >= 0 || name.startsWith("[")) {
            throw new InvalidHostException("must be a host name alone: no port, no IPv6 literal");
        }
        boolean wildcard = name.startsWith("*.");
        String suffix = wildcard ? name.substring(2) : name;
        String problem = dnsNameProblem(suffix);
        if (problem != null) {
            throw new InvalidHostException(problem);
        }
        if (suffix.equals("localhost")) {
            throw new InvalidHostException(wildcard ? "covers every app's name under localhost" : "is this machine, not an app");
        }
        InternetDomainName domain = InternetDomainName.from(suffix);
        if (!wildcard) {
            if (domain.isPublicSuffix()) {
                throw new InvalidHostException("is a public suffix, not a site");
            }
            return new HostName(name, false);
        }
        if (!suffix.contains(".")) {
            throw new InvalidHostException("covers a whole top-level domain");
        }
        if (domain.isPublicSuffix()) {
            throw new InvalidHostException("covers a public suffix, so other people's sites");
        }
        if (suffix.equals(defaultDomain) || HostName.isBelow(defaultDomain, suffix)) {
            throw new InvalidHostException("covers every app's default host (*." + defaultDomain + ")");
        }
        return new HostName(name, true);
    }

    /** Why {@code name} is not a DNS name a client could send in {@code Host}, or null if it is one. */
    private static String dnsNameProblem(String name) {
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            return "must be a DNS name of 1-" + MAX_LENGTH + " characters";
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty()) {
                return "has an empty label (a leading, trailing or double dot)";
            }
            if (label.length() > 63) {
                return "has a label longer than 63 characters";
            }
            if (label.indexOf('*') >= 0) {
                return "may only be a wildcard as a whole first label, as in *.example.com";
            }
            if (!LABEL.matcher(label).matches()) {
                return "must be made of labels of letters, digits and '-' (not at either end of a label)";
            }
        }
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            // RFC 1123 §2.1 / RFC 3696 §2: a numeric last label makes it an IP address in some form
            return "is an IP address; claim a host name";
        }
        return null;
    }

    /** A name that may not be claimed, whoever asks. */
    public static class InvalidHostException extends RuntimeException {
        public InvalidHostException(String reason) {
            super(reason);
        }
    }
}
