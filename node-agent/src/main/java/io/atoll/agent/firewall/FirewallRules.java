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
 *              -o atoll0 NEW -j ATOLL-INGRESS  third: who may open a connection to a container
 * ATOLL-INGRESS the gateways beyond this host (ingress-sources) return; the rest is rejected
 * INPUT        -i atoll0 -j ATOLL-IN           first rule: traffic a container sends to this host
 * ATOLL-FWD    established accepted; to another container refused; each agent's node chain; reject
 * ATOLL-IN     established accepted; this host's allowed ports (the gateway); reject
 * ATOLL-N-xxxx one agent's grants: a container (its address and bridge port) to an IP group's CIDRs and ports
 * </pre>
 * Several agents may share a host (and its iptables): each rewrites only its own node chain,
 * and the shared chains jump to every node chain there is. The last rules reject (a TCP reset,
 * else ICMP port unreachable), so a denied connection fails at once instead of hanging, and a
 * container is denied everything from its first packet until its grants are written.
 */
public final class FirewallRules {

    public static final String FORWARD_CHAIN = "ATOLL-FWD";
    public static final String INPUT_CHAIN = "ATOLL-IN";
    public static final String INGRESS_CHAIN = "ATOLL-INGRESS";
    public static final String NODE_CHAIN_PREFIX = "ATOLL-N-";
    static final String DOCKER_USER = "DOCKER-USER";
    static final String INPUT = "INPUT";

    /**
     * One container of this node on the apps' network, and the IP groups its app may reach.
     *
     * @param port the host side of the container's veth pair, its port on the bridge: a grant
     *     matches it as well as the address, because Docker hands a freed address to the next
     *     container at once, and that container's traffic comes in on another port
     */
    public record Grantee(String instanceId, String address, String port, List<String> dependencies) {
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
                    // iptables -S leaves out a destination of 0.0.0.0/0: so does the wanted rule
                    String to = destination.equals("0.0.0.0/0") ? "" : " -d " + destination;
                    String from = " -m physdev --physdev-in " + grantee.port();
                    if (group.ports().isEmpty()) {
                        lines.add("-A " + chain + " -s " + source + to + from + " -j ACCEPT");
                    }
                    for (int port : group.ports()) {
                        lines.add("-A " + chain + " -s " + source + to + " -p tcp" + from + " -m tcp --dport " + port
                                + " -j ACCEPT");
                    }
                }
            }
            rules.addAll(lines);
        }
        return rules;
    }

    /**
     * Traffic a container sends elsewhere than this host. Another container on the apps' bridge
     * is refused before any grant is looked at: a group as broad as {@code 0.0.0.0/0} must not
     * open other apps' containers (an ACCEPT here ends FORWARD, so Docker's own inter-container
     * DROP would never be met).
     */
    static List<String> forwardRules(String bridge, Set<String> nodeChains) {
        List<String> rules = new ArrayList<>();
        rules.add(established(FORWARD_CHAIN));
        rules.add("-A " + FORWARD_CHAIN + " -o " + bridge + " -p tcp -j REJECT --reject-with tcp-reset");
        rules.add("-A " + FORWARD_CHAIN + " -o " + bridge + " -j REJECT --reject-with icmp-port-unreachable");
        for (String node : new TreeSet<>(nodeChains)) {
            rules.add("-A " + FORWARD_CHAIN + " -j " + node);
        }
        rules.addAll(rejects(FORWARD_CHAIN));
        return rules;
    }

    /**
     * Traffic a container sends to this host: its {@code host-ports} (the gateway) and nothing
     * else. Grants do not apply here, so that no group, however broad, opens the host's
     * ZooKeeper, agent or SSH to an app; a service on this host an app needs is a host port.
     */
    static List<String> inputRules(List<Integer> hostPorts) {
        List<String> rules = new ArrayList<>();
        rules.add(established(INPUT_CHAIN));
        for (int port : new TreeSet<>(hostPorts)) {
            rules.add("-A " + INPUT_CHAIN + " -p tcp -m tcp --dport " + port + " -j ACCEPT");
        }
        rules.addAll(rejects(INPUT_CHAIN));
        return rules;
    }

    /**
     * New connections into an app container from beyond this host (a published port reached on
     * the node's address, a route into the bridge): only from the gateways listed. Traffic from
     * this host itself (the local gateway, the agent's health checks) does not pass here.
     */
    static List<String> ingressRules(List<String> sources) {
        List<String> rules = new ArrayList<>();
        for (String source : new TreeSet<>(sources)) {
            rules.add("-A " + INGRESS_CHAIN + (source.equals("0.0.0.0/0") ? "" : " -s " + source) + " -j RETURN");
        }
        rules.addAll(rejects(INGRESS_CHAIN));
        return rules;
    }

    private static String established(String chain) {
        // ACCEPT, not RETURN: Docker's isolation of one bridge network from another, met after
        // DOCKER-USER, would drop the rest of a connection to a group on another Docker network.
        return "-A " + chain + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT";
    }

    private static List<String> rejects(String chain) {
        return List.of("-A " + chain + " -p tcp -j REJECT --reject-with tcp-reset",
                "-A " + chain + " -j REJECT --reject-with icmp-port-unreachable");
    }

    /** The {@code -s} of a node chain's rule as iptables lists it, or null. */
    static String source(String rule) {
        String[] words = rule.split(" ");
        for (int i = 0; i < words.length - 1; i++) {
            if (words[i].equals("-s")) {
                return words[i + 1];
            }
        }
        return null;
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
        return plan(current, nodeChain, nodeRules, bridge, hostPorts, List.of());
    }

    static String plan(Map<String, List<String>> current, String nodeChain, List<String> nodeRules, String bridge,
            List<Integer> hostPorts, List<String> ingressSources) {
        Set<String> nodeChains = new TreeSet<>();
        for (String chain : current.keySet()) {
            if (chain.startsWith(NODE_CHAIN_PREFIX)) {
                nodeChains.add(chain);
            }
        }
        nodeChains.add(nodeChain);
        Map<String, List<String>> wanted = new LinkedHashMap<>();
        wanted.put(nodeChain, nodeRules);
        wanted.put(FORWARD_CHAIN, forwardRules(bridge, nodeChains));
        wanted.put(INPUT_CHAIN, inputRules(hostPorts));
        wanted.put(INGRESS_CHAIN, ingressRules(ingressSources));

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
                "-A " + DOCKER_USER + " -o " + bridge + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                "-A " + DOCKER_USER + " -o " + bridge + " -m conntrack --ctstate NEW -j " + INGRESS_CHAIN), rules);
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
