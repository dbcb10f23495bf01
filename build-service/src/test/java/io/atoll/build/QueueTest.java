package io.atoll.build;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Issue 13 item 7: bounded concurrency, per-app order, supersede, cancel, failures recorded. */
class QueueTest extends BuildServiceTestSupport {

    @Test
    void noMoreThanMaxConcurrentBuildsRunAndTheNextStartsWhenOneEnds() {
        builder.gate("c1");
        builder.gate("c2");
        builder.gate("c3");
        String first = triggered("conc-a", "c1");
        String second = triggered("conc-b", "c2");
        String third = triggered("conc-c", "c3");
        awaitEntered("c1");
        awaitEntered("c2");
        sleep(300);

        assertThat(status(first)).isEqualTo("RUNNING");
        assertThat(status(second)).isEqualTo("RUNNING");
        assertThat(status(third)).isEqualTo("QUEUED");
        assertThat(builder.entered.get("c3").getCount()).isEqualTo(1);

        builder.open("c1");
        awaitStatus(first, "SUCCEEDED");
        awaitEntered("c3");
        assertThat(status(third)).isEqualTo("RUNNING");
        builder.open("c2");
        builder.open("c3");
        awaitStatus(third, "SUCCEEDED");
        assertThat(builder.maxRunning.get()).isEqualTo(2);
    }

    @Test
    void anAppsBuildsRunOneAtATimeInTheOrderAskedEvenWithAFreeSlot() {
        builder.gate("first");
        builder.gate("second");
        String first = triggered("ordered", "first");
        String second = triggered("ordered", "second");
        awaitEntered("first");
        sleep(300);

        assertThat(status(second)).isEqualTo("QUEUED");
        builder.open("first");
        awaitEntered("second");
        JsonNode firstBuild = awaitStatus(first, "SUCCEEDED");
        builder.open("second");
        JsonNode secondBuild = awaitStatus(second, "SUCCEEDED");
        assertThat(java.time.Instant.parse(secondBuild.get("startedAt").asString()))
                .isAfterOrEqualTo(java.time.Instant.parse(firstBuild.get("finishedAt").asString()));
    }

    @Test
    void aNewerRequestForTheSameBranchSupersedesTheQueuedOneButNotOtherBranches() {
        builder.gate("main");
        String running = triggered("sup", "main");
        awaitEntered("main");
        String older = triggered("sup", "main");
        String otherBranch = triggered("sup", "feature");
        String newer = triggered("sup", "main");

        JsonNode superseded = build(older);
        assertThat(superseded.get("status").asString()).isEqualTo("SUPERSEDED");
        assertThat(superseded.get("supersededBy").asString()).isEqualTo(newer);
        assertThat(status(otherBranch)).isEqualTo("QUEUED");
        assertThat(status(running)).as("a running build is not superseded").isEqualTo("RUNNING");

        builder.open("main");
        awaitStatus(running, "SUCCEEDED");
        awaitStatus(otherBranch, "SUCCEEDED");
        awaitStatus(newer, "SUCCEEDED");
        assertThat(status(older)).isEqualTo("SUPERSEDED");
    }

    @Test
    void cancelEndsAQueuedBuildAtOnceAndInterruptsARunningOne() {
        builder.gate("main");
        String running = triggered("cancel", "main");
        awaitEntered("main");
        String queued = triggered("cancel", "other");

        Http.Answer cancelQueued = http.post("/api/v1/builds/" + queued + "/cancel", new byte[0]);
        assertThat(cancelQueued.status()).isEqualTo(200);
        assertThat(cancelQueued.json().get("status").asString()).isEqualTo("CANCELLED");

        Http.Answer cancelRunning = http.post("/api/v1/builds/" + running + "/cancel", new byte[0]);
        assertThat(cancelRunning.status()).isEqualTo(202);
        JsonNode cancelled = awaitStatus(running, "CANCELLED");
        assertThat(builder.interrupted.get()).as("the builder was interrupted, not left to finish").isEqualTo(1);
        assertThat(cancelled.get("imageDigest").isNull()).isTrue();
        assertThat(cancelled.get("finishedAt").isNull()).isFalse();

        Http.Answer again = http.post("/api/v1/builds/" + running + "/cancel", new byte[0]);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.isProblem()).isTrue();
        assertThat(http.post("/api/v1/builds/" + java.util.UUID.randomUUID() + "/cancel", new byte[0]).status())
                .isEqualTo(404);
        assertThat(http.post("/api/v1/builds/not-an-id/cancel", new byte[0]).status()).isEqualTo(404);
        // the cancelled build left nothing running: the app builds again
        awaitStatus(triggered("cancel", "later"), "SUCCEEDED");
    }

    @Test
    void aFailingStepEndsTheBuildFailedWithTheStepTheReasonAndEachStepsDuration() {
        JsonNode failed = awaitStatus(triggered("fails", "broken"), "FAILED");

        assertThat(failed.get("failedStep").asString()).isEqualTo("assemble");
        assertThat(failed.get("reason").asString()).contains("compile error in Main.java");
        assertThat(failed.get("imageDigest").isNull()).isTrue();
        assertThat(failed.get("steps").findValuesAsString("name")).containsExactly("checkout", "assemble");
        assertThat(failed.get("steps").get(0).get("durationMs").isNumber()).isTrue();
    }

    @Test
    void buildsAreListedNewestFirstPerApp() {
        String a = triggered("listed", "one");
        String b = triggered("listed", "two");
        awaitStatus(b, "SUCCEEDED");

        Http.Answer list = http.get("/api/v1/builds?app=listed");
        assertThat(list.json().findValuesAsString("id")).containsExactly(b, a);
        assertThat(http.get("/api/v1/builds?app=Not_An_App").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/builds/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
    }
}
