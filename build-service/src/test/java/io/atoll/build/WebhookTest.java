package io.atoll.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/** Issue 13 item 6: what a webhook must carry to queue a build, and what it gets otherwise. */
@ExtendWith(OutputCaptureExtension.class)
class WebhookTest extends BuildServiceTestSupport {

    @Test
    void aSignedGithubPushToTheAppsBranchQueuesABuildThatRuns() {
        String body = githubPush("refs/heads/main", COMMIT);
        String delivery = delivery();

        Http.Answer answer = github("hello", body, "sha256=" + hmac(GLOBAL_SECRET, body), delivery);

        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        assertThat(answer.json().get("status").asString()).isEqualTo("queued");
        JsonNode build = awaitStatus(answer.json().get("build").asString(), "SUCCEEDED");
        assertThat(build.get("app").asString()).isEqualTo("hello");
        // the app's configured repository wins over the one the delivery names
        assertThat(build.at("/source/repository").asString()).isEqualTo("file:///srv/git/hello.git");
        assertThat(build.at("/source/ref").asString()).isEqualTo("main");
        assertThat(build.get("commit").asString()).isEqualTo(COMMIT);
        assertThat(build.at("/trigger/kind").asString()).isEqualTo("github");
        assertThat(build.at("/trigger/by").asString()).isEqualTo("octocat");
        assertThat(build.at("/trigger/deliveryId").asString()).isEqualTo(delivery);
        assertThat(build.get("imageDigest").asString()).startsWith("sha256:");
        assertThat(build.get("steps").findValuesAsString("name")).containsExactly("checkout", "assemble");
        assertThat(build.get("startedAt").isNull()).isFalse();
        assertThat(build.get("finishedAt").isNull()).isFalse();
    }

    @Test
    void forgedUnsignedTruncatedOrOtherAlgorithmSignaturesGet401AndQueueNothing() {
        String body = githubPush("refs/heads/main", COMMIT);
        String good = hmac(GLOBAL_SECRET, body);
        String sha1;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(GLOBAL_SECRET.getBytes(), "HmacSHA1"));
            sha1 = HexFormat.of().formatHex(mac.doFinal(body.getBytes()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("missing", null);
        refused.put("wrong secret", "sha256=" + hmac("guessed-secret", body));
        refused.put("another body", "sha256=" + hmac(GLOBAL_SECRET, body + " "));
        refused.put("truncated", "sha256=" + good.substring(0, 63));
        refused.put("empty", "sha256=");
        refused.put("sha1", "sha1=" + sha1);
        refused.put("bare hex", good);
        refused.put("extra byte", "sha256=" + good + "00");
        int before = buildCount("hello");
        String delivery = delivery();
        refused.forEach((why, signature) -> {
            Http.Answer answer = github("hello", body, signature, delivery);
            assertThat(answer.status()).as(why).isEqualTo(401);
            assertThat(answer.isProblem()).as(why).isTrue();
        });
        assertThat(buildCount("hello")).isEqualTo(before);

        // a refused delivery does not use up its id: the genuine one still queues
        assertThat(github("hello", body, "sha256=" + good, delivery).status()).isEqualTo(202);
        assertThat(buildCount("hello")).isEqualTo(before + 1);
    }

    @Test
    void aReplayedDeliveryIsRefusedWith409AndQueuesNothing() {
        String body = githubPush("refs/heads/main", COMMIT);
        String signature = "sha256=" + hmac(GLOBAL_SECRET, body);
        String delivery = delivery();
        assertThat(github("hello", body, signature, delivery).status()).isEqualTo(202);
        int before = buildCount("hello");

        Http.Answer replay = github("hello", body, signature, delivery);

        assertThat(replay.status()).isEqualTo(409);
        assertThat(replay.isProblem()).isTrue();
        assertThat(buildCount("hello")).isEqualTo(before);
    }

    @Test
    void aPushToAnotherBranchOrATagIsIgnoredAndBuildsNothing() {
        int before = buildCount("hello");
        for (String ref : List.of("refs/heads/feature", "refs/tags/v1.0", "refs/heads/main-old")) {
            String body = githubPush(ref, COMMIT);
            Http.Answer answer = github("hello", body, "sha256=" + hmac(GLOBAL_SECRET, body), delivery());
            assertThat(answer.status()).as(ref).isEqualTo(202);
            assertThat(answer.json().get("status").asString()).as(ref).isEqualTo("ignored");
        }
        String deleted = githubPush("refs/heads/main", "0".repeat(40));
        assertThat(github("hello", deleted, "sha256=" + hmac(GLOBAL_SECRET, deleted), delivery()).json()
                .get("status").asString()).isEqualTo("ignored");
        String issue = "{\"action\":\"opened\"}";
        assertThat(github("hello", issue, "sha256=" + hmac(GLOBAL_SECRET, issue), delivery(), "issues").json()
                .get("status").asString()).isEqualTo("ignored");
        assertThat(buildCount("hello")).isEqualTo(before);
    }

    @Test
    void anAppsOwnSecretReplacesTheGlobalOneAndAnUnknownAppIsRefusedLikeABadSignature() {
        String body = githubPush("refs/heads/main", COMMIT);
        assertThat(github("web", body, "sha256=" + hmac(GLOBAL_SECRET, body), delivery()).status()).isEqualTo(401);
        Http.Answer ok = github("web", body, "sha256=" + hmac(WEB_SECRET, body), delivery());
        assertThat(ok.status()).isEqualTo(202);
        // web has no repository of its own: the pushed one is built
        assertThat(awaitStatus(ok.json().get("build").asString(), "SUCCEEDED").at("/source/repository").asString())
                .isEqualTo("https://github.example/acme/web.git");

        Http.Answer unknown = github("nosuchapp", body, "sha256=" + hmac(GLOBAL_SECRET, body), delivery());
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.body()).isEqualTo(github("web", body, null, delivery()).body());
        assertThat(buildCount("nosuchapp")).isZero();
    }

    @Test
    void gitlabTokenIsComparedAndItsIdempotencyKeyRefusesReplays() {
        String body = """
                {"object_kind":"push","ref":"refs/heads/release","checkout_sha":"%s","user_username":"dev1",
                 "project":{"git_http_url":"https://gitlab.example/acme/lab.git"}}""".formatted(COMMIT);
        String key = delivery();
        int before = buildCount("lab");
        assertThat(gitlab(body, "wrong-token", key).status()).isEqualTo(401);
        assertThat(gitlab(body, GLOBAL_SECRET.substring(1), key).status()).isEqualTo(401);
        assertThat(gitlab(body, null, key).status()).isEqualTo(401);
        assertThat(buildCount("lab")).isEqualTo(before);

        Http.Answer ok = gitlab(body, GLOBAL_SECRET, key);
        assertThat(ok.status()).as(ok.body()).isEqualTo(202);
        JsonNode build = awaitStatus(ok.json().get("build").asString(), "SUCCEEDED");
        assertThat(build.at("/trigger/kind").asString()).isEqualTo("gitlab");
        assertThat(build.at("/trigger/by").asString()).isEqualTo("dev1");
        assertThat(build.at("/source/ref").asString()).isEqualTo("release");

        Http.Answer replay = gitlab(body, GLOBAL_SECRET, key);
        assertThat(replay.status()).isEqualTo(409);
        assertThat(replay.isProblem()).isTrue();
        // lab builds branch release only
        String main = body.replace("refs/heads/release", "refs/heads/main");
        assertThat(gitlab(main, GLOBAL_SECRET, delivery()).json().get("status").asString()).isEqualTo("ignored");
        assertThat(buildCount("lab")).isEqualTo(before + 1);
    }

    @Test
    void theGenericHookSignsTimestampAndBodyAndRefusesStaleOnes() {
        String body = "{\"ref\":\"main\",\"commit\":\"" + COMMIT + "\",\"by\":\"ci\"}";
        int before = buildCount("hello");
        long now = Instant.now().getEpochSecond();
        // outside the 60 s skew, though correctly signed
        for (long ts : List.of(now - 120, now + 120)) {
            String t = Long.toString(ts);
            Http.Answer stale = generic(body, t, "sha256=" + hmac(GLOBAL_SECRET, t, ".", body), delivery());
            assertThat(stale.status()).as("timestamp " + ts).isEqualTo(401);
            assertThat(stale.isProblem()).isTrue();
        }
        String t = Long.toString(now);
        assertThat(generic(body, t, "sha256=" + hmac(GLOBAL_SECRET, body), delivery()).status())
                .as("the body alone signed").isEqualTo(401);
        assertThat(generic(body, Long.toString(now - 1), "sha256=" + hmac(GLOBAL_SECRET, t, ".", body), delivery())
                .status()).as("another timestamp than the signed one").isEqualTo(401);
        assertThat(generic(body, "not-a-time", "sha256=" + hmac(GLOBAL_SECRET, "not-a-time.", body), delivery())
                .status()).isEqualTo(401);
        assertThat(buildCount("hello")).isEqualTo(before);

        String delivery = delivery();
        Http.Answer ok = generic(body, t, "sha256=" + hmac(GLOBAL_SECRET, t, ".", body), delivery);
        assertThat(ok.status()).as(ok.body()).isEqualTo(202);
        assertThat(awaitStatus(ok.json().get("build").asString(), "SUCCEEDED").at("/trigger/kind").asString())
                .isEqualTo("generic");
        assertThat(generic(body, t, "sha256=" + hmac(GLOBAL_SECRET, t, ".", body), delivery).status())
                .isEqualTo(409);
        assertThat(buildCount("hello")).isEqualTo(before + 1);
    }

    @Test
    void secretsAreNeitherReturnedNorLogged(CapturedOutput output) {
        String body = githubPush("refs/heads/main", COMMIT);
        List<Http.Answer> answers = List.of(
                github("hello", body, "sha256=" + hmac(GLOBAL_SECRET, body), delivery()),
                github("web", body, "sha256=" + hmac(GLOBAL_SECRET, body), delivery()),
                gitlab(body, "wrong", delivery()),
                http.get("/actuator/env"),
                http.get("/actuator/configprops"));
        for (Http.Answer answer : answers) {
            assertThat(answer.body()).doesNotContain(GLOBAL_SECRET).doesNotContain(WEB_SECRET);
        }
        assertThat(output.getAll()).doesNotContain(GLOBAL_SECRET).doesNotContain(WEB_SECRET)
                .contains("github delivery");
    }

    private Http.Answer gitlab(String body, String token, String key) {
        List<String> headers = new java.util.ArrayList<>(List.of("X-Gitlab-Event", "Push Hook",
                "Idempotency-Key", key, "X-Gitlab-Event-UUID", delivery()));
        if (token != null) {
            headers.add("X-Gitlab-Token");
            headers.add(token);
        }
        return http.postJson("/api/v1/hooks/gitlab?app=lab", body, headers.toArray(String[]::new));
    }

    private Http.Answer generic(String body, String timestamp, String signature, String delivery) {
        return http.postJson("/api/v1/hooks/generic?app=hello", body, "X-Atoll-Timestamp", timestamp,
                "X-Atoll-Signature", signature, "X-Atoll-Delivery", delivery);
    }
}
