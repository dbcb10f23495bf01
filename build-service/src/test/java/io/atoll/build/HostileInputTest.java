package io.atoll.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bodies no client library would send, to the manual trigger and (correctly signed, so that they
 * get past the signature) to the GitHub hook: each answer a 4xx problem+json, never a 5xx, and
 * nothing queued. And requests Tomcat refuses itself, as raw bytes: problem+json too.
 */
class HostileInputTest extends BuildServiceTestSupport {

    private final JsonMapper json = JsonMapper.builder().build();

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

    /**
     * What Tomcat refuses before Spring sees it, sent as the real bytes (the JDK client would not
     * send them): each is a 4xx problem+json whose detail does not echo the request, never
     * Tomcat's HTML page and never a 5xx (a 505 for {@code HTTP/1.2} is the client's fault).
     */
    @Test
    void whatTomcatRefusesBeforeSpringIsA4xxProblemNeverHtml() throws IOException {
        Map<String, String> requests = new LinkedHashMap<>();
        requests.put("encoded slashes", "GET /api/v1/builds/..%2F..%2Fetc%2Fpasswd/log HTTP/1.1\r\nHost: x\r\n\r\n");
        requests.put("encoded NUL", "GET /api/v1/builds/passwd%00.log/log HTTP/1.1\r\nHost: x\r\n\r\n");
        requests.put("HTTP/1.2", "GET /api/v1/builds HTTP/1.2\r\nHost: x\r\n\r\n");
        requests.put("20 KB header", "GET /api/v1/builds HTTP/1.1\r\nHost: x\r\nX-Passwd: " + "p".repeat(20 * 1024)
                + "\r\n\r\n");
        requests.put("garbage line", "passwd \u0001 garbage\n");
        // a sendError, which the container forwards to /error (TRACE is refused with one), and /error itself
        requests.put("TRACE", "TRACE /api/v1/builds HTTP/1.1\r\nHost: x\r\n\r\n");
        requests.put("/error", "GET /error HTTP/1.1\r\nHost: x\r\n\r\n");
        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, String> request : requests.entrySet()) {
            Raw answer = raw(request.getValue().getBytes(StandardCharsets.ISO_8859_1));
            String name = request.getKey() + ": " + answer;
            softly.assertThat(answer.status()).as(name).isBetween(400, 499);
            softly.assertThat(answer.contentType()).as(name).startsWith("application/problem+json");
            softly.assertThat(answer.body()).as(name).doesNotContainIgnoringCase("<html").doesNotContain("passwd");
            if (answer.body().startsWith("{")) {
                softly.assertThat(json.readTree(answer.body()).get("status").asInt()).as(name).isEqualTo(answer.status());
            }
        }
        softly.assertAll();
    }

    record Raw(int status, String contentType, String body) {
    }

    /** Sends exactly these bytes on a new connection and reads the answer until the server closes it. */
    private Raw raw(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            // without "Connection: close" in the request, the server keeps a connection it could still read
            socket.shutdownOutput();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = answer.indexOf("\r\n\r\n");
            assertThat(end).as("a complete response head in: " + answer).isPositive();
            String[] head = answer.substring(0, end).split("\r\n");
            String contentType = null;
            boolean chunked = false;
            for (String header : head) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    contentType = header.substring(header.indexOf(':') + 1).strip();
                }
                chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
            }
            String body = answer.substring(end + 4);
            return new Raw(Integer.parseInt(head[0].split(" ")[1]), contentType, chunked ? unchunked(body) : body);
        }
    }

    private static String unchunked(String body) {
        StringBuilder text = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, lineEnd).strip(), 16);
            if (size == 0) {
                return text.toString();
            }
            text.append(body, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
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
