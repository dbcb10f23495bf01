package io.atoll.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.platform.e2e.ControlPlaneFixture.Replica;
import io.atoll.platform.e2e.ControlPlaneFixture.Site;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 11 item 6, with the real services and engine: the images a node's agent pulled for an
 * app go once no assignment uses them (after a grace, 0 s here), except the previous release's,
 * so that a rollback to it starts without a pull; images the agent did not pull stay.
 */
class ImageCleanupIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    static ControlPlaneFixture fixture;
    static String v1;
    static String v2;
    static String v3;

    @BeforeAll
    static void start() throws Exception {
        fixture = new ControlPlaneFixture();
        v1 = fixture.push("v1");
        v2 = fixture.push("v2");
        v3 = fixture.push("v3");
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void anImageNoAssignmentUsesGoesAndThePreviousReleaseStaysForARollback() throws Exception {
        try (Site site = fixture.site("images", "--atoll.agent.images.grace=0s",
                "--atoll.agent.images.interval=1s")) {
            Replica api = site.replica("api");
            site.awaitUp();
            api.createApp("imgs");
            for (String image : List.of(v1, v2, v3)) {
                JsonNode done = api.awaitFinished("imgs", api.startDeploy("imgs",
                        "{\"image\":\"" + image + "\",\"instances\":1}"), Duration.ofSeconds(90));
                assertThat(done.path("status").asString()).isEqualTo("SUCCEEDED");
            }
            JsonNode releases = JSON.readTree(api.api("GET", "/api/v1/apps/imgs/releases", null).body());
            String pinned3 = releases.get(0).path("pinnedImage").asString();
            String pinned2 = releases.get(1).path("pinnedImage").asString();
            String pinned1 = releases.get(2).path("pinnedImage").asString();

            long v3Done = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> !present(pinned1));
            System.out.printf("v1's image removed %d ms after v3 succeeded%n", (System.nanoTime() - v3Done) / 1_000_000);
            Thread.sleep(3000); // a few more passes: nothing else goes
            assertThat(present(pinned2)).as("the previous release's image").isTrue();
            assertThat(present(pinned3)).as("the serving release's image").isTrue();
            assertThat(DockerCli.lines("images", "-q", "atoll/hello:local")).as("an image the agent did not pull")
                    .isNotEmpty();

            HttpResponse<String> rollback = api.api("POST", "/api/v1/apps/imgs/rollback", "{\"release\":\"v2\"}");
            assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(202);
            String id = JSON.readTree(rollback.body()).path("deploy").path("id").asString();
            assertThat(api.awaitFinished("imgs", id, Duration.ofSeconds(90)).path("status").asString())
                    .isEqualTo("SUCCEEDED");
            String agentLog = Files.readString(site.agent.log());
            assertThat(agentLog.lines().filter(line -> line.contains("Pulling " + pinned2)).count())
                    .as("pulls of v2's image: its first deploy only").isEqualTo(1);
            // now v3 is the previous release and v2 serves; nothing the rollback needs went
            Thread.sleep(3000);
            assertThat(present(pinned2)).isTrue();
            assertThat(present(pinned3)).isTrue();
        }
    }

    private static boolean present(String pinned) throws Exception {
        return DockerCli.lines("images", "--digests", "--format", "{{.Repository}}@{{.Digest}}").contains(pinned);
    }
}
