package io.atoll.agent.firewall;

import io.atoll.model.IpGroup;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What Atoll's iptables rules on this host should be, as the lines {@code iptables -S} prints,
 * and what to feed {@code iptables-restore --noflush} to get there from what is. Pure: no
 * process is run here.
 *
 * <p>The layout, in the filter table:
 * <pre>
 * DOCKER-USER  -i atoll0 -j ATOLL-FWD          first rule: traffic a container sends elsewhere
 *              -o atoll0 replies ACCEPT        second: what comes back on connections it was let open
 * INPUT        -i atoll0 -j ATOLL-IN           first rule: traffic a container sends to this host
 * ATOLL-FWD    established connections accepted; then each agent's node chain; then reject
 * ATOLL-IN     the same, then this host's allowed ports (the gateway); then reject
 * ATOLL-N-xxxx one agent's grants: a container's address to an IP group's CIDRs and ports
 * </pre>
 * Several agents may share a host (and its iptables): each rewrites only its own node chain,
 * and the shared chains jump to every node chain there is. The last rules reject (a TCP reset,
 * else ICMP port unreachable), so a denied connection fails at once instead of hanging, and a
 * container is denied everything from its first packet until its grants are written.
 */
public final class FirewallRules {

    public static final String FORWARD_CHAIN = "ATOLL-FWD";
    public static final String INPUT_CHAIN = "ATOLL-IN";
    public static final String NODE_CHAIN_PREFIX = "ATOLL-N-";
    static final String DOCKER_USER = "DOCKER-USER";
    static final String INPUT = "INPUT";

    /** One container of this node on the apps' network, and the IP groups its app may reach. */
    public record Grantee(String instanceId, String address, List<String> dependencies) {
    }

    private FirewallRules() {
    }

    /** A chain name of at most 28 characters, the same for a node id every time. */
    public static String nodeChain(String nodeId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(nodeId.getBytes(StandardCharsets.UTF_8));
            return NODE_CHAIN_PREFIX + HexFormat.of().formatHex(hash, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * This node's chain: one ACCEPT per container, CIDR and port of the groups its app declared.
     * Groups that do not exist grant nothing; malformed CIDRs are skipped (platform-api refuses
     * them, so one here was written by hand).
     */
    public static List<String> nodeRules(String chain, List<Grantee> grantees, Map<String, IpGroup> groups) {
        List<String> rules = new ArrayList<>();
        for (Grantee grantee : grantees) {
            String source = grantee.address() + "/32";
            SortedSet<String> lines = new TreeSet<>();
            for (String name : grantee.dependencies()) {
                IpGroup group = groups.get(name);
                if (group == null) {
                    continue;
                }
                for (String cidr : group.cidrs()) {
                    String destination = IpGroup.canonicalCidr(cidr);
                    if (destination == null) {
                        continue;
                    }
                    if (group.ports().isEmpty()) {
                        lines.add("-A " + chain + " -s " + source + " -d " + destination + " -j ACCEPT");
                    }
                    for (int port : group.ports()) {
                        lines.add("-A " + chain + " -s " + source + " -d " + destination + " -p tcp -m tcp --dport "
                                + port + " -j ACCEPT");
                    }
                }
            }
            rules.addAll(lines);
        }
        return rules;
    }

    static List<String> forwardRules(Set<String> nodeChains) {
        return sharedRules(FORWARD_CHAIN, nodeChains, List.of());
    }

    static List<String> inputRules(Set<String> nodeChains, List<Integer> hostPorts) {
        return sharedRules(INPUT_CHAIN, nodeChains, hostPorts);
    }

    private static List<String> sharedRules(String chain, Set<String> nodeChains, List<Integer> hostPorts) {
        List<String> rules = new ArrayList<>();
        // ACCEPT, not RETURN: Docker's isolation of one bridge network from another, met after
        // DOCKER-USER, would drop the rest of a connection to a group on another Docker network.
        rules.add("-A " + chain + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        for (String node : new TreeSet<>(nodeChains)) {
            rules.add("-A " + chain + " -j " + node);
        }
        for (int port : new TreeSet<>(hostPorts)) {
            rules.add("-A " + chain + " -p tcp -m tcp --dport " + port + " -j ACCEPT");
        }
        rules.add("-A " + chain + " -p tcp -j REJECT --reject-with tcp-reset");
        rules.add("-A " + chain + " -j REJECT --reject-with icmp-port-unreachable");
        return rules;
    }

    static String jump(String from, String bridge, String to) {
        return "-A " + from + " -i " + bridge + " -j " + to;
    }

    /**
     * The input for {@code iptables-restore --noflush} that turns {@code current} (chain → its
     * {@code -A} lines, as {@code iptables -S} lists them) into what this node wants, or null when
     * nothing differs. A chain that differs is declared, which makes iptables-restore empty it,
     * and written whole, in one transaction.
     */
    static String plan(Map<String, List<String>> current, String nodeChain, List<String> nodeRules, String bridge,
            List<Integer> hostPorts) {
        Set<String> nodeChains = new TreeSet<>();
        for (String chain : current.keySet()) {
            if (chain.startsWith(NODE_CHAIN_PREFIX)) {
                nodeChains.add(chain);
            }
        }
        nodeChains.add(nodeChain);
        Map<String, List<String>> wanted = new LinkedHashMap<>();
        wanted.put(nodeChain, nodeRules);
        wanted.put(FORWARD_CHAIN, forwardRules(nodeChains));
        wanted.put(INPUT_CHAIN, inputRules(nodeChains, hostPorts));

        List<String> declare = new ArrayList<>();
        List<String> rules = new ArrayList<>();
        for (Map.Entry<String, List<String>> chain : wanted.entrySet()) {
            if (!chain.getValue().equals(current.get(chain.getKey()))) {
                declare.add(":" + chain.getKey() + " - [0:0]");
                rules.addAll(chain.getValue());
            }
        }
        // The jumps into Atoll's chains come first in DOCKER-USER and INPUT, where Docker's own
        // rules (a RETURN, an ACCEPT) would otherwise be met before them.
        // Replies to what a container was let open come back even across Docker's isolation of
        // one bridge network from another (its DOCKER-ISOLATION chains look at no connection state).
        first(current, DOCKER_USER, List.of(jump(DOCKER_USER, bridge, FORWARD_CHAIN),
                "-A " + DOCKER_USER + " -o " + bridge + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"), rules);
        first(current, INPUT, List.of(jump(INPUT, bridge, INPUT_CHAIN)), rules);
        if (declare.isEmpty() && rules.isEmpty()) {
            return null;
        }
        StringBuilder input = new StringBuilder("*filter\n");
        declare.forEach(line -> input.append(line).append('\n'));
        rules.forEach(line -> input.append(line).append('\n'));
        return input.append("COMMIT\n").toString();
    }

    /** Makes {@code lines} the first rules of {@code chain}, in order, each there once. */
    private static void first(Map<String, List<String>> current, String chain, List<String> lines, List<String> rules) {
        List<String> existing = current.getOrDefault(chain, List.of());
        boolean inPlace = existing.size() >= lines.size() && existing.subList(0, lines.size()).equals(lines)
                && lines.stream().allMatch(line -> existing.indexOf(line) == existing.lastIndexOf(line));
        if (inPlace) {
            return;
        }
        String prefix = "-A " + chain + " ";
        for (String line : existing) {
            if (lines.contains(line)) {
                rules.add("-D " + chain + " " + line.substring(prefix.length()));
            }
        }
        for (int i = 0; i < lines.size(); i++) {
            rules.add("-I " + chain + " " + (i + 1) + " " + lines.get(i).substring(prefix.length()));
        }
    }

    /** {@code iptables -S} of the filter table as chain → its {@code -A} lines, in order. */
    static Map<String, List<String>> parse(String listing) {
        Map<String, List<String>> chains = new LinkedHashMap<>();
        for (String raw : listing.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("-N ") || line.startsWith("-P ")) {
                chains.computeIfAbsent(line.split(" ")[1], chain -> new ArrayList<>());
            } else if (line.startsWith("-A ")) {
                chains.computeIfAbsent(line.split(" ")[1], chain -> new ArrayList<>()).add(line);
            }
        }
        return chains;
    }
}
