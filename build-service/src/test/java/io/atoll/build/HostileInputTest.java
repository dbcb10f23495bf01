package io.atoll.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bodies no client library would send, to the manual trigger and (correctly signed, so that they
 * get past the signature) to the GitHub hook: each answer a 4xx problem+json, never a 5xx, and
 * nothing queued.
 */
class HostileInputTest extends BuildServiceTestSupport {

    private static Map<String, byte[]> bodies(int hugeSize) {
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        bodies.put("deep arrays", ("{\"ref\":" + "[".repeat(5000) + "]".repeat(5000) + "}").getBytes());
        bodies.put("deep objects", ("{\"a\":".repeat(3000) + "1" + "}".repeat(3000)).getBytes());
        bodies.put("huge", ("{\"ref\":\"" + "a".repeat(hugeSize) + "\"}").getBytes());
        bodies.put("ref a number", "{\"repository\":\"https://g.example/x.git\",\"ref\":123}".getBytes());
        bodies.put("ref an array", "{\"repository\":\"https://g.example/x.git\",\"ref\":[\"main\"]}".getBytes());
        bodies.put("repository an object", "{\"repository\":{\"url\":1},\"ref\":\"main\"}".getBytes());
        bodies.put("array root", "[1,2,3]".getBytes());
        bodies.put("string root", "\"main\"".getBytes());
        bodies.put("null root", "null".getBytes());
        bodies.put("empty", new byte[0]);
        bodies.put("truncated", "{\"ref\":\"ma".getBytes());
        bodies.put("invalid utf-8", new byte[] {'{', '"', 'r', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        bodies.put("nul in ref", "{\"repository\":\"https://g.example/x.git\",\"ref\":\"ma\\u0000in\"}".getBytes());
        bodies.put("duplicate keys", "{\"ref\":\"main\",\"ref\":{}}".getBytes());
        bodies.put("trailing garbage", "{\"ref\":\"main\"} {".getBytes());
        return bodies;
    }

    @Test
    void theManualTriggerAnswersHostileBodiesWith4xxProblems() {
        int before = allBuilds();
        bodies(64 * 1024).forEach((name, body) -> {
            Http.Answer answer = http.post("/api/v1/apps/hostile/builds", body, "Content-Type", "application/json");
            assertThat(answer.status()).as(name + ": " + answer.body()).isBetween(400, 499);
            assertThat(answer.isProblem()).as(name).isTrue();
        });
        Http.Answer text = http.post("/api/v1/apps/hostile/builds",
                "{\"repository\":\"https://g.example/x.git\",\"ref\":\"main\"}".getBytes(), "Content-Type", "text/plain");
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.isProblem()).isTrue();
        for (String bad : new String[] {"{\"repository\":\"https://g.example/x.git\",\"ref\":\"a..b\"}",
                "{\"repository\":\"https://g.example/x.git\",\"ref\":\"-x\"}",
                "{\"repository\":\"not a url\",\"ref\":\"main\"}", "{\"ref\":\"main\"}", "{}"}) {
            Http.Answer answer = http.postJson("/api/v1/apps/hostile/builds", bad);
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.isProblem()).as(bad).isTrue();
        }
        assertThat(trigger("Bad_Name", "main").status()).isEqualTo(400);
        assertThat(allBuilds()).isEqualTo(before);
    }

    @Test
    void aSignedGithubHookAnswersHostileBodiesWith4xxProblems() {
        int before = allBuilds();
        Map<String, byte[]> bodies = bodies(70 * 1024);
        // a ref that is no branch of the app's is a push to another branch, ignored (WebhookTest);
        // an object at "repository" is GitHub's own shape
        bodies.remove("nul in ref");
        bodies.remove("repository an object");
        bodies.forEach((name, body) -> {
            String text = new String(body, StandardCharsets.ISO_8859_1);
            String signature = "sha256=" + java.util.HexFormat.of().formatHex(hmacBytes(body));
            Http.Answer answer = http.post("/api/v1/hooks/github?app=hello", body, "Content-Type", "application/json",
                    "X-GitHub-Event", "push", "X-GitHub-Delivery", delivery(), "X-Hub-Signature-256", signature);
            assertThat(answer.status()).as(name + " " + text.length() + ": " + answer.body()).isBetween(400, 499);
            assertThat(answer.isProblem()).as(name).isTrue();
        });
        String wrongTypes = "{\"ref\":\"refs/heads/main\",\"after\":42,\"repository\":[]}";
        Http.Answer answer = github("hello", wrongTypes, "sha256=" + hmac(GLOBAL_SECRET, wrongTypes), delivery());
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.isProblem()).isTrue();
        Http.Answer noDelivery = http.postJson("/api/v1/hooks/github?app=hello", "{}", "X-GitHub-Event", "push",
                "X-Hub-Signature-256", "sha256=" + hmac(GLOBAL_SECRET, "{}"));
        assertThat(noDelivery.status()).isEqualTo(400);
        assertThat(http.postJson("/api/v1/hooks/github", "{}").status()).as("no app").isEqualTo(400);
        assertThat(allBuilds()).isEqualTo(before);
    }

    private static byte[] hmacBytes(byte[] body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(GLOBAL_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
