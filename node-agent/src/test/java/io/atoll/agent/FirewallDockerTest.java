package io.atoll.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.agent.firewall.FirewallRules;
import io.atoll.model.Assignment;
import io.atoll.model.HealthCheck;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.IpGroup;
import io.atoll.model.Resources;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 11 item 1 against the real engine and the host's real iptables: app containers run on
 * Atoll's bridge, reach only the IP groups their app declares (a connection anywhere else is
 * reset at once, not left hanging), never each other, and nothing on the host but the gateway's
 * port. The agent keeps its rules as a level-based loop: a rule deleted by hand comes back, the
 * grants of a removed instance go, a new grant needs no restart, and a restarted agent writes
 * nothing at all.
 */
class FirewallDockerTest extends AgentDockerTestSupport {

    private static final int SERVICE_PORT = 8080;
    private String service;
    private String serviceAddress;
    private String group;

    @BeforeEach
    void serviceOutsideAtoll() throws Exception {
        // A service on Docker's default bridge, outside Atoll: what an IP group names.
        service = "atoll-test-service-" + UUID.randomUUID().toString().substring(0, 8);
        docker("run", "-d", "--name", service, "--label", "io.atoll.test=firewall", IMAGE);
        serviceAddress = docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", service).strip();
        // a second port, which the group does not name: only the firewall can refuse it
        await().atMost(WITHIN).until(() -> docker("exec", service, "ls", "/tmp/www/index.html").contains("index"));
        docker("exec", "-d", service, "httpd", "-f", "-p", "8081", "-h", "/tmp/www");
        await().atMost(WITHIN).until(() -> docker("exec", service, "timeout", "5", "wget", "-q", "-O", "-",
                "http://127.0.0.1:" + SERVICE_PORT + "/healthz").contains("ok"));
        group = "db-" + UUID.randomUUID().toString().substring(0, 8);
        client.create().orSetData().creatingParentsIfNeeded().forPath(paths.ipGroup(group),
                codec.encode(new IpGroup(group, List.of(serviceAddress + "/32"), List.of(SERVICE_PORT))));
    }

    @AfterEach
    void removeService() throws Exception {
        docker("rm", "-f", service);
        client.delete().quietly().forPath(paths.ipGroup(group));
    }

    @Test
    void aContainerReachesOnlyTheGroupsItsAppDeclaresAndTheRulesAreKeptAsALevel() throws Exception {
        startAgent(zookeeper.getConnectString(), "atoll.agent.network.interval=1s");
        String chain = FirewallRules.nodeChain(nodeId);
        InstanceStatus granted = run("granted", List.of(group));
        InstanceStatus denied = run("denied", List.of());
        String grantedIp = ipOf(granted.containerId());
        String deniedIp = ipOf(denied.containerId());
        assertThat(grantedIp).startsWith(networkPrefix());

        // the dependency is reachable; without it, refused at once
        await().atMost(WITHIN).until(() -> fetch(granted, serviceAddress, SERVICE_PORT).contains("hello from"));
        assertRefused(denied, serviceAddress, SERVICE_PORT);
        // the granted app reaches the group's port only
        assertRefused(granted, serviceAddress, 8081);
        // no app reaches another's container, even one of its own app, or the host's other ports
        // (this test's ZooKeeper, where assignments are written, listens on the host)
        assertRefused(granted, deniedIp, 8080);
        assertRefused(denied, grantedIp, 8080);
        assertRefused(denied, hostAddress(), zookeeper.getPort());

        // a rule deleted by hand is back within a pass (1 s here)
        String rule = rulesOf(chain).stream().filter(line -> line.contains(grantedIp)).findFirst().orElseThrow();
        iptables("-D" + rule.substring(2));
        long deleted = System.nanoTime();
        assertThat(rulesOf(chain)).doesNotContain(rule);
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> rulesOf(chain).contains(rule));
        System.out.printf("rule deleted by hand restored after %d ms%n", (System.nanoTime() - deleted) / 1_000_000);

        // a grant needs no restart: the same container may connect once its app declares the group
        assign(assignment(denied.instanceId(), "denied", List.of(group)));
        await().atMost(WITHIN).until(() -> fetch(denied, serviceAddress, SERVICE_PORT).contains("hello from"));
        assertThat(status("denied", denied.instanceId()).containerId()).isEqualTo(denied.containerId());

        // even a grant of everything opens neither another container nor the host's other ports
        String everything = "everything-" + UUID.randomUUID().toString().substring(0, 8);
        client.create().forPath(paths.ipGroup(everything),
                codec.encode(new IpGroup(everything, List.of("0.0.0.0/0"), List.of())));
        assign(assignment(granted.instanceId(), "granted", List.of(group, everything)));
        await().atMost(WITHIN).until(() -> fetch(granted, serviceAddress, 8081).contains("hello from"));
        assertRefused(granted, deniedIp, 8080);
        assertRefused(granted, hostAddress(), zookeeper.getPort());
        assign(assignment(granted.instanceId(), "granted", List.of(group)));
        client.delete().forPath(paths.ipGroup(everything));
        await().atMost(WITHIN).until(() -> fetch(granted, serviceAddress, 8081).contains("Connection refused"));

        // a restarted agent adopts the rules as they are: nothing written, counters kept
        assertThat(fetch(granted, serviceAddress, SERVICE_PORT)).contains("hello from"); // counted by its grant
        String before = atollRules();
        List<String> containersBefore = containers().stream().map(c -> c.getId()).sorted().toList();
        long packets = packets(chain);
        assertThat(packets).isPositive();
        agents.remove(0).close();
        ConfigurableApplicationContext restarted = startAgent(zookeeper.getConnectString(),
                "atoll.agent.network.interval=1s");
        Thread.sleep(3000);
        assertThat(atollRules()).isEqualTo(before);
        assertThat(containers().stream().map(c -> c.getId()).sorted().toList()).isEqualTo(containersBefore);
        assertThat(packets(chain)).isGreaterThanOrEqualTo(packets);
        assertThat(restarted.getBean(MeterRegistry.class).counter("atoll.agent.firewall.writes").count()).isZero();
        assertThat(fetch(granted, serviceAddress, SERVICE_PORT)).contains("hello from");

        // a stale grant (an address no container of this node has) is gone when the agent starts
        agents.remove(0).close();
        String stale = "-A " + chain + " -s 172.31.250.250/32 -d 192.0.2.1/32 -j ACCEPT";
        iptables(("-I" + stale.substring(2)).replaceFirst(chain, chain + " 1"));
        assertThat(rulesOf(chain)).contains(stale);
        startAgent(zookeeper.getConnectString(), "atoll.agent.network.interval=1s");
        await().atMost(WITHIN).until(() -> !rulesOf(chain).contains(stale));

        // removing an instance removes its grants
        client.delete().forPath(paths.assignment(nodeId, granted.instanceId()));
        await().atMost(WITHIN).until(() -> rulesOf(chain).stream().noneMatch(line -> line.contains(grantedIp)));
        assertThat(rulesOf(chain)).anyMatch(line -> line.contains(deniedIp));
    }

    @Test
    void aContainersGrantsGoBeforeItIsStopped() throws Exception {
        // Once a container has stopped, Docker may give its address to the next container it
        // starts: its grants must be gone by then. An app that ignores SIGTERM runs through its
        // whole stop grace (2 s here), and its grants are gone while it still runs.
        String ignoresTerm = "atoll/test-ignores-term:1";
        buildImage(ignoresTerm, "CMD [\"/bin/sh\", \"-c\", \"trap '' TERM; mkdir -p /tmp/www; echo ok > /tmp/www/healthz; "
                + "exec httpd -f -p $PORT -h /tmp/www\"]");
        startAgent(zookeeper.getConnectString(), "atoll.agent.network.interval=1s");
        String chain = FirewallRules.nodeChain(nodeId);
        String instance = newInstanceId();
        Assignment assignment = new Assignment(instance, "stubborn", "r1", ignoresTerm, Map.of(), 8080,
                new Resources(64, 256, 1), new HealthCheck("/healthz", 300, 1000, 2), List.of(group), false);
        assign(assignment);
        InstanceStatus healthy = awaitState("stubborn", instance, InstanceState.HEALTHY);
        String address = ipOf(healthy.containerId());
        await().atMost(WITHIN).until(() -> rulesOf(chain).stream().anyMatch(line -> line.contains(address + "/32")));

        // drained: it keeps its grants while it finishes its requests, and loses them when it is stopped
        assign(assignment.withDraining(true));
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(20))
                .until(() -> rulesOf(chain).stream().noneMatch(line -> line.contains(address + "/32")));
        assertThat(docker("inspect", "-f", "{{.State.Running}}", healthy.containerId()).strip())
                .as("the container when its grants were gone").isEqualTo("true");
    }

    @Test
    void aContainerGivenAFreedAddressInheritsNoGrant() throws Exception {
        startAgent(zookeeper.getConnectString(), "atoll.agent.network.interval=1s");
        String chain = FirewallRules.nodeChain(nodeId);
        InstanceStatus granted = run("granted", List.of(group));
        String address = ipOf(granted.containerId());
        await().atMost(WITHIN).until(() -> fetch(granted, serviceAddress, SERVICE_PORT).contains("hello from"));
        // its agent stopped (its rules stay), the container goes: its grant is left behind
        agents.remove(0).close();
        docker("rm", "-f", granted.containerId());
        assertThat(rulesOf(chain)).anyMatch(line -> line.contains(address + "/32"));

        // Docker hands the freed address to a next container at once (the lowest free one first)
        List<String> started = new java.util.ArrayList<>();
        String reuser = null;
        try {
            for (int i = 0; i < 30 && reuser == null; i++) {
                String id = docker("run", "-d", "--label", "io.atoll.test=firewall", "--network", "atoll", IMAGE).strip();
                started.add(id);
                if (ipOf(id).equals(address)) {
                    reuser = id;
                }
            }
            assertThat(reuser).as("a container given the freed address " + address).isNotNull();
            String answer = docker("exec", reuser, "timeout", "5", "wget", "-q", "-O", "-",
                    "http://" + serviceAddress + ":" + SERVICE_PORT + "/");
            assertThat(answer).as("the grant of the container that had the address").contains("Connection refused");
        } finally {
            for (String id : started) {
                docker("rm", "-f", id);
            }
        }
    }

    @Test
    void nothingBeyondThisHostOpensAConnectionToAnApp() throws Exception {
        startAgent(zookeeper.getConnectString(), "atoll.agent.network.interval=1s");
        InstanceStatus app = run("reached", List.of());
        // through this host (its gateway, the agent's checks): served
        assertThat(get(app.address())).startsWith("hello from");
        // from elsewhere (here a container on another Docker network, routed into the bridge):
        // refused at once, where Docker alone would drop it and leave the caller hanging
        long started = System.nanoTime();
        String answer = docker("exec", service, "timeout", "5", "wget", "-q", "-O", "-",
                "http://" + ipOf(app.containerId()) + ":8080/");
        assertThat(answer).contains("Connection refused");
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(3000);
    }

    @Test
    void theGatewayReachesAnAppWithoutDockerProxyAndNoOtherAppDoes() throws Exception {
        // defaults: advertised host 127.0.0.1, so only a gateway on this host can use the address
        startAgent(zookeeper.getConnectString(), "atoll.agent.network.interval=1s");
        InstanceStatus app = run("direct", List.of());
        InstanceStatus other = run("other-team", List.of());
        String ip = ipOf(app.containerId());
        assertThat(app.address()).isEqualTo(ip + ":8080");
        // served from this host, over the bridge: no docker-proxy holds a connection to the app
        try (Socket direct = new Socket(ip, 8080)) {
            assertThat(get(app.address())).startsWith("hello from");
            assertThat(dockerProxyConnectionsTo(ip)).isZero();
        }
        // whereas the published port on loopback goes through one (what the gateway used before)
        String published = docker("port", app.containerId(), "8080/tcp").lines().findFirst().orElseThrow().strip();
        int hostPort = Integer.parseInt(published.substring(published.lastIndexOf(':') + 1));
        try (Socket viaProxy = new Socket("127.0.0.1", hostPort)) {
            await().atMost(WITHIN).until(() -> dockerProxyConnectionsTo(ip) > 0);
        }
        // another app, another team's, still cannot open that address, nor the published port
        assertRefused(other, ip, 8080);
        assertRefused(other, hostAddress(), hostPort);
    }

    @Test
    void aRoutableAdvertisedHostKeepsThePublishedPort() throws Exception {
        // a gateway on another host cannot reach the bridge: it gets the host and the published port
        startAgent(zookeeper.getConnectString(), "atoll.agent.network.interval=1s",
                "atoll.agent.advertised-host=192.0.2.10");
        InstanceStatus app = run("published", List.of());
        String published = docker("port", app.containerId(), "8080/tcp").lines().findFirst().orElseThrow().strip();
        assertThat(app.address()).isEqualTo("192.0.2.10:" + published.substring(published.lastIndexOf(':') + 1));
    }

    @Test
    void aContainerMadeBeforeTheAppsNetworkIsReplacedOnIt() throws Exception {
        // as an agent before isolation made it: on Docker's default bridge, labelled for this node
        String instance = newInstanceId();
        String legacy = docker("run", "-d", "--name", "atoll-" + instance, "--init", "-e", "PORT=8080",
                "-p", "0.0.0.0::8080", "--label", "io.atoll.node=" + nodeId, "--label", "io.atoll.instance=" + instance,
                "--label", "io.atoll.release=r1", "--label", "io.atoll.app=legacy", IMAGE).strip();
        assign(new Assignment(instance, "legacy", "r1", IMAGE, Map.of(), 8080, new Resources(64, 256, 1),
                new HealthCheck("/healthz", 300, 1000, 2), List.of(), false));
        startAgent(zookeeper.getConnectString(), "atoll.agent.network.interval=1s");
        InstanceStatus replaced = awaitStatus("legacy", instance, status -> status.state() == InstanceState.HEALTHY
                && !legacy.startsWith(status.containerId()) && !status.containerId().startsWith(legacy));
        assertThat(ipOf(replaced.containerId())).startsWith(networkPrefix());
        assertThat(docker("ps", "-aq", "--no-trunc", "--filter", "id=" + legacy).strip()).isEmpty();
    }

    private InstanceStatus run(String app, List<String> dependencies) throws Exception {
        String instance = newInstanceId();
        assign(assignment(instance, app, dependencies));
        return awaitState(app, instance, InstanceState.HEALTHY);
    }

    private Assignment assignment(String instance, String app, List<String> dependencies) {
        return new Assignment(instance, app, "r1", IMAGE, Map.of(), 8080, new Resources(64, 256, 1),
                new HealthCheck("/healthz", 300, 1000, 2), dependencies, false);
    }

    /** What a GET from inside the instance's container brings, or wget's complaint. */
    private static String fetch(InstanceStatus from, String address, int port) throws Exception {
        // busybox's own timeout: its wget -T crashes in this static build
        return docker("exec", from.containerId(), "timeout", "5", "wget", "-q", "-O", "-",
                "http://" + address + ":" + port + "/");
    }

    private static void assertRefused(InstanceStatus from, String address, int port) throws Exception {
        long started = System.nanoTime();
        String answer = fetch(from, address, port);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(answer).as("GET %s:%d from %s", address, port, from.app()).contains("Connection refused");
        assertThat(millis).as("refused at once, not left hanging").isLessThan(3000);
    }

    /** Established connections to the address's port 8080 that a docker-proxy process holds. */
    private static long dockerProxyConnectionsTo(String ip) throws Exception {
        return runCommand(List.of("ss", "-Htnp", "state", "established", "dst", ip + ":8080")).lines()
                .filter(line -> line.contains("\"docker-proxy\"")).count();
    }

    private static String ipOf(String container) throws Exception {
        return docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"atoll\").IPAddress}}", container).strip();
    }

    private static String networkPrefix() throws Exception {
        String subnet = docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "atoll").strip();
        return subnet.substring(0, subnet.lastIndexOf('.', subnet.indexOf('/')));
    }

    /** The host as the apps' bridge sees it. */
    private static String hostAddress() throws Exception {
        return docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", "atoll").strip();
    }

    private static List<String> rulesOf(String chain) throws Exception {
        return iptables("-S", chain).lines().filter(line -> line.startsWith("-A ")).toList();
    }

    /** Atoll's chains and the jumps into them. */
    private static String atollRules() throws Exception {
        return String.join("\n", iptables("-S").lines().filter(line -> line.contains("ATOLL")).toList());
    }

    private static long packets(String chain) throws Exception {
        // only the rule lines: iptables may print a warning and always a header first
        return iptables("-L", chain, "-v", "-x", "-n").lines().map(String::strip)
                .filter(line -> line.matches("\\d+\\s.*"))
                .mapToLong(line -> Long.parseLong(line.split("\\s+")[0])).sum();
    }

    private static String iptables(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("iptables", "-w", "5"));
        if (args.length == 1 && (args[0].startsWith("-D") || args[0].startsWith("-I"))) {
            command.addAll(List.of(args[0].split(" ")));
        } else {
            command.addAll(List.of(args));
        }
        return runCommand(command);
    }

    private static String docker(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return runCommand(command);
    }

    private static String runCommand(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return output;
    }
}
