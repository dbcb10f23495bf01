package io.atoll.model;

import java.util.List;

/** A named security group: addresses (IP or CIDR) and ports an app may be granted. */
public record IpGroup(String name, List<String> cidrs, List<Integer> ports) {

    public IpGroup {
        cidrs = cidrs == null ? List.of() : List.copyOf(cidrs);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }
}
