package io.atoll.platform.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.model.InstanceState;
import io.atoll.platform.ApiTestSupport;
import java.time.Duration;
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

    private void registerNodeKeepingOthers(String nodeId) throws Exception {
        addNode(nodeId);
    }
}
