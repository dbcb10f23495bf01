package io.atoll.platform.hosts;

/**
 * A host an app routes: an exact DNS name ({@code shop.example.com}) or a wildcard
 * ({@code *.example.com}) that, as the gateway matches it, covers every name below its suffix
 * at any depth but not the suffix itself. Always lower case; made by {@link HostPolicy#check}.
 */
public record HostName(String name, boolean wildcard) {

    /** What a wildcard matches below; an exact host's own name. */
    public String suffix() {
        return wildcard ? name.substring(2) : name;
    }

    /** True when some request host would match both this and {@code other}. */
    public boolean overlaps(HostName other) {
        if (!wildcard && !other.wildcard) {
            return name.equals(other.name);
        }
        if (wildcard && other.wildcard) {
            return suffix().equals(other.suffix()) || isBelow(suffix(), other.suffix())
                    || isBelow(other.suffix(), suffix());
        }
        HostName pattern = wildcard ? this : other;
        HostName exact = wildcard ? other : this;
        return isBelow(exact.name, pattern.suffix());
    }

    /** True when {@code exactHost} is one this name matches. */
    public boolean matches(String exactHost) {
        return wildcard ? isBelow(exactHost, suffix()) : name.equals(exactHost);
    }

    /** {@code a.b.example.com} is below {@code example.com}; {@code example.com} is not below itself. */
    static boolean isBelow(String host, String suffix) {
        return host.length() > suffix.length() + 1 && host.endsWith(suffix)
                && host.charAt(host.length() - suffix.length() - 1) == '.';
    }

    @Override
    public String toString() {
        return name;
    }
}
