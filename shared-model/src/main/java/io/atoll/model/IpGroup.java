package io.atoll.model;

import java.util.List;

/**
 * A named security group (DESIGN §2, {@code /atoll/ipgroups/{name}}): addresses (IPv4, or CIDR)
 * and TCP ports an app may be granted as a dependency. No ports means every port.
 */
public record IpGroup(String name, List<String> cidrs, List<Integer> ports) {

    public IpGroup {
        cidrs = cidrs == null ? List.of() : List.copyOf(cidrs);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** An IPv4 address or CIDR as iptables prints it ({@code 10.1.2.3/8} → {@code 10.0.0.0/8}); null if not one. */
    public static String canonicalCidr(String cidr) {
        if (cidr == null) {
            return null;
        }
        String[] parts = cidr.strip().split("/", -1);
        if (parts.length > 2 || !parts[0].matches("\\d{1,3}(\\.\\d{1,3}){3}")
                || (parts.length == 2 && !parts[1].matches("\\d{1,2}"))) {
            return null;
        }
        int prefix;
        try {
            prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : 32;
        } catch (NumberFormatException e) {
            return null;
        }
        if (prefix < 0 || prefix > 32) {
            return null;
        }
        long bits = 0;
        for (String octet : parts[0].split("\\.")) {
            int value = Integer.parseInt(octet);
            if (value > 255) {
                return null;
            }
            bits = bits << 8 | value;
        }
        long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        long network = bits & mask;
        return ((network >> 24) & 0xFF) + "." + ((network >> 16) & 0xFF) + "." + ((network >> 8) & 0xFF) + "."
                + (network & 0xFF) + "/" + prefix;
    }
}
