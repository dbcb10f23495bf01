package io.atoll.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.model.IpGroup;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FirewallRulesTest {

    private static final String NODE = FirewallRules.nodeChain("node-1");

    @Test
    void aContainerIsGrantedEachCidrAndPortOfTheGroupsItsAppDeclaresAndNothingForUnknownOnes() {
        Map<String, IpGroup> groups = Map.of(
                "db", new IpGroup("db", List.of("10.1.2.3/8", "192.168.0.7"), List.of(5432)),
                "any-port", new IpGroup("any-port", List.of("172.31.0.9/32"), List.of()),
                "bad", new IpGroup("bad", List.of("300.1.1.1/8", "10.0.0.1/33", "fe80::1/64", "10.0.0.1/+8"),
                        List.of(80)));
        List<String> rules = FirewallRules.nodeRules(NODE, List.of(
                new FirewallRules.Grantee("i-1", "172.18.0.2", "veth1", List.of("db", "any-port", "bad", "missing"))), groups);
        assertThat(rules).containsExactly(
                "-A " + NODE + " -s 172.18.0.2/32 -d 10.0.0.0/8 -p tcp -m physdev --physdev-in veth1 -m tcp --dport 5432 -j ACCEPT",
                "-A " + NODE + " -s 172.18.0.2/32 -d 172.31.0.9/32 -m physdev --physdev-in veth1 -j ACCEPT",
                "-A " + NODE + " -s 172.18.0.2/32 -d 192.168.0.7/32 -p tcp -m physdev --physdev-in veth1 -m tcp --dport 5432 -j ACCEPT");
    }

    @Test
    void nothingIsWrittenWhenTheRulesAreAsWantedAndOnlyTheChainsThatDifferOtherwise() {
        List<String> nodeRules = List.of("-A " + NODE + " -s 172.18.0.2/32 -d 10.0.0.0/8 -j ACCEPT");
        String plan = FirewallRules.plan(Map.of("DOCKER-USER", List.of("-A DOCKER-USER -j RETURN"), "INPUT", List.of()),
                NODE, nodeRules, "atoll0", List.of(8000));
        assertThat(plan).startsWith("*filter\n").endsWith("COMMIT\n")
                .contains(":" + NODE + " - [0:0]", ":ATOLL-FWD - [0:0]", ":ATOLL-IN - [0:0]")
                .contains("-I DOCKER-USER 1 -i atoll0 -j ATOLL-FWD\n")
                .contains("-I DOCKER-USER 2 -o atoll0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n")
                .contains("-I DOCKER-USER 3 -o atoll0 -m conntrack --ctstate NEW -j ATOLL-INGRESS\n")
                .contains(":ATOLL-INGRESS - [0:0]")
                .contains("-I INPUT 1 -i atoll0 -j ATOLL-IN\n");

        // as iptables -S would list it once applied, with another agent's chain beside ours
        String other = FirewallRules.nodeChain("node-2");
        StringBuilder listing = new StringBuilder("-P INPUT ACCEPT\n-P FORWARD DROP\n-N DOCKER-USER\n-N ATOLL-FWD\n"
                + "-N ATOLL-IN\n-N ATOLL-INGRESS\n-N " + NODE + "\n-N " + other + "\n");
        listing.append("-A INPUT -i atoll0 -j ATOLL-IN\n-A INPUT -i lo -j ACCEPT\n");
        listing.append("-A DOCKER-USER -i atoll0 -j ATOLL-FWD\n")
                .append("-A DOCKER-USER -o atoll0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n")
                .append("-A DOCKER-USER -o atoll0 -m conntrack --ctstate NEW -j ATOLL-INGRESS\n")
                .append("-A DOCKER-USER -j RETURN\n");
        java.util.Set<String> chains = new java.util.TreeSet<>(List.of(NODE, other));
        FirewallRules.forwardRules("atoll0", chains).forEach(line -> listing.append(line).append('\n'));
        FirewallRules.inputRules(List.of(8000)).forEach(line -> listing.append(line).append('\n'));
        FirewallRules.ingressRules(List.of()).forEach(line -> listing.append(line).append('\n'));
        nodeRules.forEach(line -> listing.append(line).append('\n'));
        Map<String, List<String>> current = FirewallRules.parse(listing.toString());
        assertThat(FirewallRules.plan(current, NODE, nodeRules, "atoll0", List.of(8000))).isNull();

        // a grant gone: only this node's chain is rewritten
        String rewrite = FirewallRules.plan(current, NODE, List.of(), "atoll0", List.of(8000));
        assertThat(rewrite).isEqualTo("*filter\n:" + NODE + " - [0:0]\nCOMMIT\n");

        // Docker put its RETURN before our jump (a daemon restart): the jump moves back to the top
        Map<String, List<String>> moved = new java.util.LinkedHashMap<>(current);
        moved.put("DOCKER-USER", List.of("-A DOCKER-USER -j RETURN", "-A DOCKER-USER -i atoll0 -j ATOLL-FWD",
                "-A DOCKER-USER -o atoll0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                "-A DOCKER-USER -o atoll0 -m conntrack --ctstate NEW -j ATOLL-INGRESS"));
        assertThat(FirewallRules.plan(moved, NODE, nodeRules, "atoll0", List.of(8000))).isEqualTo("*filter\n"
                + "-D DOCKER-USER -i atoll0 -j ATOLL-FWD\n"
                + "-D DOCKER-USER -o atoll0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
                + "-D DOCKER-USER -o atoll0 -m conntrack --ctstate NEW -j ATOLL-INGRESS\n"
                + "-I DOCKER-USER 1 -i atoll0 -j ATOLL-FWD\n"
                + "-I DOCKER-USER 2 -o atoll0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
                + "-I DOCKER-USER 3 -o atoll0 -m conntrack --ctstate NEW -j ATOLL-INGRESS\n"
                + "COMMIT\n");

        // gateways on other hosts may open connections to apps; nobody else from beyond this host
        assertThat(FirewallRules.ingressRules(List.of("10.0.5.0/24"))).containsExactly(
                "-A ATOLL-INGRESS -s 10.0.5.0/24 -j RETURN",
                "-A ATOLL-INGRESS -p tcp -j REJECT --reject-with tcp-reset",
                "-A ATOLL-INGRESS -j REJECT --reject-with icmp-port-unreachable");
    }

    @Test
    void noGrantOpensAnotherContainerOrThisHostsOtherPorts() {
        List<String> forward = FirewallRules.forwardRules("atoll0", java.util.Set.of(NODE));
        // another container on the bridge is refused before any grant is looked at
        assertThat(forward.indexOf("-A ATOLL-FWD -o atoll0 -p tcp -j REJECT --reject-with tcp-reset"))
                .isLessThan(forward.indexOf("-A ATOLL-FWD -j " + NODE));
        // this host: its gateway port, established connections, and nothing a grant could add
        assertThat(FirewallRules.inputRules(List.of(8000))).containsExactly(
                "-A ATOLL-IN -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                "-A ATOLL-IN -p tcp -m tcp --dport 8000 -j ACCEPT",
                "-A ATOLL-IN -p tcp -j REJECT --reject-with tcp-reset",
                "-A ATOLL-IN -j REJECT --reject-with icmp-port-unreachable");
        // the whole internet is written as iptables lists it, so it is not rewritten every pass
        assertThat(FirewallRules.nodeRules(NODE, List.of(new FirewallRules.Grantee("i-1", "172.18.0.2", "veth1",
                List.of("internet"))), Map.of("internet", new IpGroup("internet", List.of("0.0.0.0/0"), List.of(443)))))
                .containsExactly("-A " + NODE + " -s 172.18.0.2/32 -p tcp -m physdev --physdev-in veth1 -m tcp --dport 443 -j ACCEPT");
    }

    @Test
    void aNodeChainNameIsShortStableAndTheNodesOwn() {
        assertThat(NODE).hasSizeLessThanOrEqualTo(28).isEqualTo(FirewallRules.nodeChain("node-1"))
                .isNotEqualTo(FirewallRules.nodeChain("node-2")).startsWith("ATOLL-N-");
    }
}
