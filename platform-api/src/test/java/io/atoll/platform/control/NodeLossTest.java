package io.atoll.platform.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.InstanceState;
import io.atoll.model.NodeInfo;
import io.atoll.model.Resources;
import io.atoll.platform.ApiTestSupport;
import java.time.Duration;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * A node whose registration is gone longer than {@code atoll.platform.node-lost-grace} has its
 * instances placed elsewhere (DESIGN §5; issue 10 item 6); a short absence moves nothing.
 */
// A context of its own (another grace): its own ZooKeeper root and database, so it never
// leads, or reconciles, the other test classes' apps.
@TestPropertySource(properties = {
        "atoll.platform.node-lost-grace=2s",
        "atoll.zookeeper.root=/atoll-node-loss",
        "spring.datasource.url=jdbc:h2:mem:platform-api-node-loss;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000"})
class NodeLossTest extends ApiTestSupport {

    @Test
    void theInstancesOfALostNodeArePlacedElsewhereAfterTheGraceAndNotBefore() throws Exception {
        registerNode("node-doomed");
        createApp("{\"name\":\"survivor\"}");
        String id = json.readTree(send("POST", "/api/v1/apps/survivor/deploys",
                "{\"image\":\"hello:1\",\"instances\":2}").body()).path("id").asString();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            reportAll("node-doomed", InstanceState.HEALTHY);
            return deployStatus("survivor", id).equals("SUCCEEDED");
        });
        addNode("node-spare");

        // gone for less than the grace (an agent restart): nothing moves
        curator.delete().forPath(paths.node("node-doomed"));
        Thread.sleep(1000);
        assertThat(assignments("node-spare")).isEmpty();
        registerNodeKeepingOthers("node-doomed");
        Thread.sleep(2500);
        assertThat(assignments("node-spare")).isEmpty();

        // gone for good: placed on the spare node once the grace is over
        long lost = System.nanoTime();
        curator.delete().forPath(paths.node("node-doomed"));
        await().atMost(Duration.ofSeconds(10)).until(() -> assignments("node-spare").size() == 2);
        long movedMillis = (System.nanoTime() - lost) / 1_000_000;
        assertThat(movedMillis).isGreaterThanOrEqualTo(1900);
        assertThat(assignments("node-doomed")).isEmpty();
        System.out.printf("Instances of a lost node re-placed %d ms after it left (grace 2 s)%n", movedMillis);
    }

    @Test
    void aNodeWhoseSessionExpiredIsCountedFromItsLastContactAndACleanStopGetsTheWholeGrace() throws Exception {
        // An agent's entry carries its session timeout: an entry that goes without the agent's
        // clean-stop mark went with an expired session, after that long a silence already.
        registerNode("node-silent", 1500);
        createApp("{\"name\":\"silent\"}");
        String id = json.readTree(send("POST", "/api/v1/apps/silent/deploys",
                "{\"image\":\"hello:1\",\"instances\":1}").body()).path("id").asString();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            reportAll("node-silent", InstanceState.HEALTHY);
            return deployStatus("silent", id).equals("SUCCEEDED");
        });
        registerNodeKeepingOthers("node-clean", 1500);

        // a clean stop: the mark, then the entry goes; nothing moves before the whole grace (2 s)
        curator.create().orSetData().creatingParentsIfNeeded().forPath(paths.nodeLeft("node-silent"));
        long left = System.nanoTime();
        curator.delete().forPath(paths.node("node-silent"));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> silentOn("node-clean"));
        } catch (Throwable t) {
            // what the platform saw, for whoever reads a failure
            System.out.println("node-clean " + assignments("node-clean") + " silent " + assignments("node-silent")
                    + " " + send("GET", "/api/v1/apps/silent/instances", null).body() + " nodes "
                    + send("GET", "/api/v1/nodes", null).body());
            throw t;
        }
        long cleanMillis = (System.nanoTime() - left) / 1_000_000;
        assertThat(cleanMillis).isGreaterThanOrEqualTo(1900);

        // an expired session (no mark): 2 s of grace less the 1.5 s the entry outlived the agent
        curator.delete().forPath(paths.nodeLeft("node-silent"));
        long expired = System.nanoTime();
        curator.delete().forPath(paths.node("node-clean"));
        registerNodeKeepingOthers("node-spare", 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> silentOn("node-spare"));
        long expiredMillis = (System.nanoTime() - expired) / 1_000_000;
        assertThat(expiredMillis).isLessThan(1500);
        System.out.printf("Grace 2 s, session 1.5 s: re-placed %d ms after a clean stop, %d ms after an expiry%n",
                cleanMillis, expiredMillis);
    }

    /** The other test's app may be moved about too: this one's instance is what counts. */
    private boolean silentOn(String nodeId) throws Exception {
        return assignments(nodeId).stream().anyMatch(id -> id.startsWith("silent-"));
    }

    private void registerNode(String nodeId, long sessionTimeoutMillis) throws Exception {
        registerNode(nodeId);
        registerNodeKeepingOthers(nodeId, sessionTimeoutMillis);
    }

    private void registerNodeKeepingOthers(String nodeId, long sessionTimeoutMillis) throws Exception {
        var node = new NodeInfo(nodeId, "127.0.0.1", "zone-a", "r1", new Resources(8192, 8192, 20), Resources.NONE,
                false, "test", sessionTimeoutMillis);
        curator.create().orSetData().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(paths.node(nodeId), codec.encode(node));
        await().atMost(Duration.ofSeconds(5)).until(() -> send("GET", "/api/v1/nodes", null).body().contains(nodeId));
    }

    private void registerNodeKeepingOthers(String nodeId) throws Exception {
        addNode(nodeId);
    }
}
