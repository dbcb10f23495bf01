package io.atoll.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.platform.ApiTestSupport;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Issue 9 finding 8: bad input is a 4xx problem+json, whichever layer refuses it. */
class BadInputTest extends ApiTestSupport {

    HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", contentType)
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    RawHttp.Response raw(String requestHead) throws Exception {
        try (RawHttp connection = new RawHttp(port)) {
            return connection.exchange(RawHttp.request(requestHead, null), false);
        }
    }

    void assertRawProblem(RawHttp.Response response, int status, String what) {
        assertThat(response).as(what).isNotNull();
        assertThat(response.status()).as(what + ": " + response.bodyText()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as(what).startsWith("application/problem+json");
        assertThat(json.readTree(response.bodyText()).path("status").asInt()).as(what).isEqualTo(status);
    }

    @Test
    void aBodyThatIsNotJsonIsA415() throws Exception {
        assertProblem(post("/api/v1/apps", "multipart/form-data; boundary=xx",
                "--xx\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nabc\r\n--xx--\r\n"), 415);
        assertProblem(post("/api/v1/apps", "multipart/form-data; boundary=xx", "--xx\r\nContent-Disposition: form-data\r\n\r\n"), 415);
        assertProblem(post("/api/v1/apps", "multipart/form-data", "garbage"), 415);
        assertProblem(post("/api/v1/apps", "application/x-www-form-urlencoded", "name=abc"), 415);
        assertProblem(post("/api/v1/apps", "text/plain", "{\"name\":\"abc\"}"), 415);
        assertProblem(post("/api/v1/apps/x/deploys", "application/xml", "<image/>"), 415);
    }

    @Test
    void jsonIsReadStrictly() throws Exception {
        for (String body : List.of(
                "{\"name\":\"strict\",\"containerPort\":\"8080\"}",
                "{\"name\":\"strict\",\"containerPort\":8080.9}",
                "{\"name\":\"strict\",\"containerPort\":8080.0}",
                "{\"name\":\"strict\",\"containerPort\":1e3}",
                "{\"name\":\"strict\",\"containerPort\":true}",
                "{\"name\":\"strict\",\"containerPort\":\"\"}",
                "{\"name\":\"strict\",\"containerPort\":[8080]}",
                "{\"name\":\"strict\",\"containerPort\":99999999999999999999}",
                "{\"name\":123}",
                "{\"name\":true}",
                "{\"name\":[\"strict\"]}",
                "{\"name\":\"strict\",\"hosts\":\"a.example.com\"}",
                "{\"name\":\"strict\",\"hosts\":[1]}",
                "{\"name\":\"strict\",\"healthpath\":\"/typo\"}",
                "{\"name\":\"strict\",\"name\":\"other\"}",
                "{\"name\":\"strict\"} trailing",
                "{\"name\":\"strict\"}{\"name\":\"strict\"}",
                "{'name':'strict'}",
                "{\"name\":\"strict\",}",
                "null", "\"strict\"", "[]", "")) {
            assertProblem(post("/api/v1/apps", "application/json", body), 400);
        }
        assertProblem(send("GET", "/api/v1/apps/strict", null), 404);
        assertThat(post("/api/v1/apps", "application/json", "{\"name\":\"strict\",\"containerPort\":8080}").statusCode())
                .isEqualTo(201);
        for (String body : List.of("{\"image\":\"hello:1\",\"instances\":\"2\"}", "{\"image\":\"hello:1\",\"instances\":1.5}",
                "{\"image\":\"hello:1\",\"memoryMb\":\"256\"}", "{\"image\":1}", "{\"image\":\"hello:1\",\"instances\":0}",
                "{\"image\":\"hello:1\",\"instances\":101}")) {
            assertProblem(post("/api/v1/apps/strict/deploys", "application/json", body), 400);
        }
    }

    @Test
    void healthPathIsAnAbsolutePathOnTheInstance() throws Exception {
        int n = 0;
        for (String path : List.of("//evil.com/x", "/../../etc/passwd", "/a/../b", "/./x", "/a/.", "http://evil.com/",
                "healthz", "", "/a b", "/a%2e%2e", "/a\u0000", "/a\r\nX: y", "/a?x=1", "/a#x", "/a//b", "/" + "a".repeat(255),
                "\\\\evil.com", "/é")) {
            JsonNode problem = assertProblem(post("/api/v1/apps", "application/json",
                    json.writeValueAsString(java.util.Map.of("name", "hp" + n++, "healthPath", path))), 400);
            assertThat(problem.path("errors").get(0).asString()).startsWith("healthPath");
        }
        for (String path : List.of("/", "/healthz", "/a/b/", "/v1.2/ready_x~y-z", "/" + "a".repeat(254))) {
            var created = post("/api/v1/apps", "application/json",
                    json.writeValueAsString(java.util.Map.of("name", "hp" + n++, "healthPath", path)));
            assertThat(created.statusCode()).as(path + ": " + created.body()).isEqualTo(201);
        }
    }

    @Test
    void containerPortIsAPort() throws Exception {
        for (String port : List.of("0", "-1", "65536", "2147483648")) {
            assertProblem(post("/api/v1/apps", "application/json", "{\"name\":\"port\",\"containerPort\":" + port + "}"), 400);
        }
        assertThat(post("/api/v1/apps", "application/json", "{\"name\":\"port\",\"containerPort\":65535}").statusCode())
                .isEqualTo(201);
    }

    @Test
    void unsupportedMethodsAre405s() throws Exception {
        for (String method : List.of("TRACE", "FOO", "get", "PROPFIND", "DELETE", "PUT", "PATCH")) {
            assertRawProblem(raw(method + " /api/v1/apps HTTP/1.1\nHost: x\nAuthorization: Bearer " + TOKEN
                    + "\nContent-Length: 0\nConnection: close"), 405, method);
        }
        assertRawProblem(raw("TRACE /api/v1/apps HTTP/1.1\nHost: x\nConnection: close"), 405, "TRACE without token");
        assertRawProblem(raw("TRACE /nowhere HTTP/1.1\nHost: x\nConnection: close"), 405, "TRACE elsewhere");
    }

    @Test
    void badPathsAndRequestLinesAre400ProblemsFromEveryLayer() throws Exception {
        String utf8 = new String("/api/v1/apps/é".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        for (String target : List.of("/api/v1/apps/%2F", "/api/v1/apps/%2f..%2f", "/api/v1/apps/%00", "/api/v1/apps/%",
                "/api/v1/apps/%zz", "/api/v1/apps;x=1", "/api/v1/apps/x;jsessionid=1", "/api/v1/apps/..", "/../../etc/passwd",
                "//api/v1/apps", "/api/v1//apps", "/api/v1/apps/%2e%2e", "/api/v1/apps/a%5Cb", "/api/v1/apps/a\\b",
                "/api/v1/apps/a{b}", "/api/v1/apps/" + "a".repeat(9000), utf8, "api/v1/apps", "/api/v1/apps/%252F",
                "/api/v1/apps/\u007f")) {
            assertRawProblem(raw("GET " + target + " HTTP/1.1\nHost: x\nConnection: close"), 400, target);
        }
        assertRawProblem(raw("GET /api/v1/apps HTTP/1.2\nHost: x\nConnection: close"), 400, "HTTP/1.2");
        assertRawProblem(raw("GET /api/v1/apps HTTP/9.9\nHost: x\nConnection: close"), 400, "HTTP/9.9");
        assertRawProblem(raw("GET /api/v1/apps HTTP/1.1\nConnection: close"), 400, "no Host");
        assertRawProblem(raw("GET /api/v1/apps HTTP/1.1\nHost: x\nHost: y\nConnection: close"), 400, "two Hosts");
        assertRawProblem(raw("GET /api/v1/apps HTTP/1.1\nHost: x:abc\nConnection: close"), 400, "Host x:abc");
        assertRawProblem(raw("GET /api/v1/apps HTTP/1.1\nHost: x\nX-Big: " + "a".repeat(10_000) + "\nConnection: close"),
                400, "huge header");
    }

    @Test
    void theErrorPageItselfIsAProblem() throws Exception {
        assertProblem(send("GET", "/error", null), 404);
        assertProblem(send("POST", "/error", "{}"), 404);
        RawHttp.Response html = raw("GET /api/v1/nowhere HTTP/1.1\nHost: x\nAccept: text/html\nAuthorization: Bearer " + TOKEN
                + "\nConnection: close");
        assertRawProblem(html, 404, "Accept: text/html");
    }

    @Test
    void aBodyOverTheLimitIsA413() throws Exception {
        String big = "{\"name\":\"big\",\"hosts\":[\"" + "a".repeat(70_000) + "\"]}";
        assertProblem(post("/api/v1/apps", "application/json", big), 413);
        byte[] body = big.getBytes(StandardCharsets.UTF_8);
        String chunk = Integer.toHexString(body.length) + "\r\n" + big + "\r\n0\r\n\r\n";
        RawHttp.Response chunked;
        try (RawHttp connection = new RawHttp(port)) {
            chunked = connection.exchange(RawHttp.request("POST /api/v1/apps HTTP/1.1\nHost: x\nAuthorization: Bearer "
                    + TOKEN + "\nContent-Type: application/json\nTransfer-Encoding: chunked",
                    chunk.getBytes(StandardCharsets.ISO_8859_1)), false);
        }
        assertRawProblem(chunked, 413, "chunked");
        assertProblem(send("GET", "/api/v1/apps/big", null), 404);
    }
}
