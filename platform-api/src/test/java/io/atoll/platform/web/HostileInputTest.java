package io.atoll.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.platform.ApiTestSupport;
import java.io.IOException;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * The hostile-input suite for platform-api (issue 9, DESIGN §9). The endpoints are read from
 * Spring MVC's own mapping, so a new endpoint is covered the day it is added; for each one a
 * corpus is generated: every method, bad path segments (encoded slashes, NUL, lone '%', dot
 * segments, path parameters, overlong, non-ASCII), bad query strings, hostile headers (Accept,
 * Authorization, Content-Type, ...), and for JSON bodies wrong content types, malformed, deep,
 * huge or wrongly typed JSON, field by field from the request record. Everything is sent as raw
 * bytes over one keep-alive socket. It asserts: no 5xx; every 4xx is
 * {@code application/problem+json} with a parsable body; and no desync: after each hostile
 * request a normal request on the same connection gets its own answer, unless the server closed
 * the connection.
 */
class HostileInputTest extends ApiTestSupport {

    static final String APP = "hostile";
    static final String PROBE = "GET /api/v1/apps/" + APP + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
            + "\r\n\r\n";

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    record Endpoint(String method, String template, Class<?> bodyType) {
    }

    record Case(String label, byte[] bytes, boolean head) {
    }

    /** Every endpoint of the API, from the handler mapping, plus the actuator's and the error page. */
    List<Endpoint> endpoints() {
        List<Endpoint> endpoints = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, org.springframework.web.method.HandlerMethod> entry : mappings.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = entry.getKey();
            Class<?> bodyType = null;
            for (Parameter parameter : entry.getValue().getMethod().getParameters()) {
                if (parameter.isAnnotationPresent(RequestBody.class)) {
                    bodyType = parameter.getType();
                }
            }
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            for (String pattern : info.getPatternValues()) {
                if (methods.isEmpty()) {
                    endpoints.add(new Endpoint("GET", pattern, bodyType));
                    endpoints.add(new Endpoint("POST", pattern, bodyType));
                }
                for (RequestMethod method : methods) {
                    endpoints.add(new Endpoint(method.name(), pattern, bodyType));
                }
            }
        }
        for (String actuator : List.of("/actuator", "/actuator/health", "/actuator/info", "/actuator/prometheus",
                "/actuator/metrics", "/actuator/metrics/{name}")) {
            endpoints.add(new Endpoint("GET", actuator, null));
        }
        return endpoints;
    }

    static final List<String> PATH_VALUES = List.of("%2F", "%2f", "%00", "%", "%zz", "%2", ";x=1", "..", ".",
            "%2e%2e", "%2E", "..;", "x%2F..%2Fy", "%252F", "%5C", "\\", "x//y", "a".repeat(5000), "a".repeat(300),
            latin1("é".getBytes(StandardCharsets.UTF_8)), "%C3%A9", "%EF%BF%BF", "%ED%A0%80", "%F0%9F%92%A9", "%C0%AE",
            "%FF", "%20", "x y", "x\ty", "x\u0000y", "x\u007fy", "+", "*", "~", "$", "${jndi:ldap://x/a}",
            "%24%7Bjndi%3Aldap%3A%2F%2Fx%7D", "'", "%27", "\"", "%22", "<script>", "%3Cscript%3E", "%3F", "%23",
            "%0d%0aX:%20y", "%09", "Bad_Name", "UPPER", "0", "-1", "9".repeat(30), "x:y", "x@y", "x,y", "[", "]", "|",
            "^", "`", "{", "}");

    static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
            "CONNECT", "PROPFIND", "MKCOL", "FOO", "get", "G=T", "A".repeat(1000));

    static final List<String> SUFFIXES = List.of("/", "//", "/.", "/..", ";x=1", "?x=%", "?%00", "?x=%zz",
            "?a=" + "b".repeat(5000), "?a=1&a=2&a[]=3", "?" + "&".repeat(2000), "#frag", "%20", ".json", "/x/y/z",
            "?x=" + latin1("é".getBytes(StandardCharsets.UTF_8)), "?x={}", "?x=%0d%0a");

    static final List<String> HEADERS = List.of("Accept: text/html", "Accept: application/xml", "Accept: image/png",
            "Accept: */*;q=abc", "Accept: ,,,", "Accept: application/json;q=0", "Accept: application/problem+json",
            "Accept: " + "a/b,".repeat(1000) + "c/d", "Accept-Charset: bogus", "Accept-Language: ;;;",
            "Accept-Encoding: gzip;q=2, *;q=-1", "Authorization: Bearer", "Authorization: Bearer ",
            "Authorization: Basic !!!", "Authorization: Bearer " + "x".repeat(6000), "Authorization: " + latin1(new byte[] {(byte) 0xff, (byte) 0xfe}),
            "Authorization: bearer test-token", "Content-Type: ;;;", "Content-Type: application/json; charset=bogus",
            "Content-Encoding: gzip", "If-None-Match: \"", "If-Modified-Since: yesterday",
            "Range: bytes=99999999999999999999-", "Range: bytes=-0", "X-Forwarded-For: garbage, ::::",
            "X-Forwarded-Host: evil.example", "X-Forwarded-Proto: gopher", "X-Forwarded-Prefix: /../..",
            "Forwarded: for=\"[", "X-HTTP-Method-Override: DELETE", "Origin: http://evil.example", "Cookie: " + "c=1; ".repeat(500),
            "Cookie: JSESSIONID=../../x", "Expect: 100-continue", "Expect: garbage", "Connection: Content-Length",
            "Connection: keep-alive, Transfer-Encoding", "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAAP__",
            "Upgrade: websocket\r\nConnection: Upgrade", "X-Null: a\u0000b", "X-Ctl: a\u0001b", "Max-Forwards: -1",
            "Te: trailers, deflate", "Host: y", "Content-Length: abc", "Content-Length: -1",
            "Content-Length: 0\r\nContent-Length: 1", "Transfer-Encoding: gzip", "Transfer-Encoding: chunked, identity",
            "X-Space : a", "\tobs-fold: a", "X-Obs: a\r\n b", "Bad Header: x", ": empty-name", "X-Empty:",
            "Accept: " + latin1("é".getBytes(StandardCharsets.UTF_8)));

    static final List<String> CONTENT_TYPES = List.of("multipart/form-data; boundary=xx", "multipart/form-data",
            "multipart/mixed; boundary=xx", "application/x-www-form-urlencoded", "text/plain", "text/html",
            "application/xml", "application/json; charset=utf-16", "application/json; charset=bogus",
            "application/json; charset=iso-8859-1", "application/problem+json", "application/merge-patch+json",
            "application/*", "*/*", "application", ";;;", "application/json, text/plain", "application/x-java-serialized-object",
            "application/cbor", "application/yaml", "application/x-ndjson");

    static final List<String> BODIES = List.of("", " ", "{", "}", "[", "{}", "[]", "null", "true", "0", "-0", "\"s\"",
            "{\"a\":", "{\"a\"}", "{a:1}", "{'a':1}", "{\"a\":1,}", "[1,]", "{} {}", "{}x", "/* c */{}", "// c\n{}",
            "NaN", "Infinity", "-Infinity", "1e99999", "{\"name\":NaN}", "[".repeat(10_000) + "]".repeat(10_000),
            "{\"a\":".repeat(5000) + "1" + "}".repeat(5000), "\"" + "a".repeat(60_000) + "\"", "1".repeat(2000),
            "{\"\\ud800\":1}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\u0000\"}", "{\"a\":\"x\u0000y\"}", "{\"a\":\"x\u0001y\"}",
            "{\"" + "k".repeat(60_000) + "\":1}", manyKeys(5000), "\uFEFF{}", "{\"a\":1}\u0000",
            "{\"@class\":\"java.lang.Runtime\"}", "[\"java.util.HashMap\",{}]", "{\"__proto__\":{\"x\":1}}");

    static final List<String> FIELD_VALUES = List.of("null", "true", "false", "0", "-1", "1.5", "1e3", "2147483648",
            "9223372036854775808", "1e400", "-0.0", "\"\"", "\" \"", "\"8080\"", "\"" + "x".repeat(10_000) + "\"",
            "\"\\u0000\"", "\"\\ud800\"", "[]", "[null]", "[\"\"]", "[1]", "{}", "{\"a\":1}", "\"é\"", "\"../../etc/passwd\"",
            "\"//evil.com/x\"", "\"127.0.0.1:1/x:1\"", "\"*.com\"", "\"localhost\"", "[\"*.com\"]", "[\"127.0.0.1\"]",
            "[\"localhost\"]", "[\"a.example.com:80\"]", "[" + "\"a.example.com\",".repeat(40) + "\"b.example.com\"]",
            "\"hello@sha256:short\"", "\"HELLO:demo\"", "\"hello:de mo\"", "\"" + "a".repeat(300) + ".example.com\"");

    static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static String manyKeys(int n) {
        StringBuilder body = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            body.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        return body.append('}').toString();
    }

    /** A valid body for the endpoint's request type, as fields, so one field at a time can be spoiled. */
    Map<String, String> validFields(Class<?> bodyType) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (bodyType.getSimpleName().equals("CreateAppRequest")) {
            fields.put("name", "\"hostile-created\"");
        } else if (bodyType.getSimpleName().equals("DeployRequest")) {
            fields.put("image", "\"hello:404\""); // fails at once: the test registry has no such tag
            fields.put("instances", "1");
        } else if (bodyType.getSimpleName().equals("RollbackRequest")) {
            fields.put("release", "\"v1\"");
        } else if (bodyType.getSimpleName().equals("ScaleRequest")) {
            fields.put("instances", "1");
        } else if (bodyType.getSimpleName().equals("MaintenanceRequest")) {
            fields.put("enabled", "false");
        } else if (Map.class.isAssignableFrom(bodyType)) {
            // config vars: any names, each a string or {value, secret}
            fields.put("GREETING", "\"hello\"");
            fields.put("TOKEN", "{\"value\":\"s3cret\",\"secret\":true}");
        }
        return fields;
    }

    static String json(Map<String, String> fields) {
        StringBuilder body = new StringBuilder("{");
        fields.forEach((name, value) -> body.append(body.length() > 1 ? "," : "").append('"').append(name).append("\":").append(value));
        return body.append('}').toString();
    }

    String concrete(String template, String replacedVariable, String value) {
        StringBuilder path = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                path.append(template, i, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            String variable = template.substring(open + 1, close);
            path.append(template, i, open);
            if (variable.equals(replacedVariable)) {
                path.append(value);
            } else {
                path.append(switch (variable) {
                    case "app" -> APP;
                    case "name" -> "jvm.threads.live";
                    default -> UUID.randomUUID().toString();
                });
            }
            i = close + 1;
        }
        return path.toString();
    }

    static List<String> variables(String template) {
        List<String> variables = new ArrayList<>();
        for (int open = template.indexOf('{'); open >= 0; open = template.indexOf('{', open + 1)) {
            variables.add(template.substring(open + 1, template.indexOf('}', open)));
        }
        return variables;
    }

    static Case request(String label, String method, String target, List<String> headers, String contentType, String body) {
        return request(label, method, target, headers, contentType, body, true);
    }

    static Case request(String label, String method, String target, List<String> headers, String contentType, String body,
            boolean authenticated) {
        byte[] bodyBytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: x\r\n");
        if (authenticated) {
            head.append("Authorization: Bearer ").append(TOKEN).append("\r\n");
        }
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        boolean framed = headers.stream().anyMatch(h -> h.regionMatches(true, 0, "Content-Length", 0, 14)
                || h.regionMatches(true, 0, "Transfer-Encoding", 0, 17));
        if (!framed) {
            head.append("Content-Length: ").append(bodyBytes == null ? 0 : bodyBytes.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[headBytes.length + (bodyBytes == null || framed ? 0 : bodyBytes.length)];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        if (bodyBytes != null && !framed) {
            System.arraycopy(bodyBytes, 0, all, headBytes.length, bodyBytes.length);
        }
        return new Case(label, all, method.equals("HEAD"));
    }

    List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Endpoint endpoint : endpoints()) {
            String path = concrete(endpoint.template(), null, null);
            if (endpoint.method().equals("DELETE") && endpoint.template().equals("/api/v1/apps/{app}")) {
                // the probe reads the suite's app after every case: deleting it would look like a desync
                path = path.replace("/apps/" + APP, "/apps/" + APP + "-doomed");
            }
            String validBody = endpoint.bodyType() == null ? null : json(validFields(endpoint.bodyType()));
            String type = endpoint.bodyType() == null ? null : "application/json";
            String name = endpoint.method() + " " + endpoint.template();
            cases.add(request(name, endpoint.method(), path, List.of(), type, validBody));
            // refused before the body is read: the server must skip the body, or close, not parse it as the next request
            cases.add(request(name + " anonymous", endpoint.method(), path, List.of(), type, validBody, false));
            cases.add(request(name + " anonymous with requests as its body", endpoint.method(), path, List.of(), "application/json",
                    "GET /api/v1/nodes HTTP/1.1\r\nHost: x\r\n\r\n".repeat(1400), false));
            cases.add(request(name + " anonymous with an oversized body", endpoint.method(), path, List.of(), "application/json",
                    "{\"a\":\"" + "x".repeat(70_000) + "\"}", false));
            for (String variable : variables(endpoint.template())) {
                for (String value : PATH_VALUES) {
                    cases.add(request(name + " {" + variable + "}=" + value, endpoint.method(),
                            concrete(endpoint.template(), variable, value), List.of(), type, validBody));
                }
            }
            for (String suffix : SUFFIXES) {
                cases.add(request(name + " +" + suffix, endpoint.method(), path + suffix, List.of(), type, validBody));
            }
            for (String header : HEADERS) {
                cases.add(request(name + " with " + header, endpoint.method(), path, List.of(header), type, validBody));
            }
            if (seen.add(endpoint.template())) {
                for (String method : METHODS) {
                    String target = method.equals("DELETE") ? path.replace("/apps/" + APP, "/apps/" + APP + "-doomed") : path;
                    cases.add(request(method + " " + endpoint.template(), method, target, List.of(), "application/json", "{}"));
                }
            }
            if (endpoint.bodyType() == null) {
                continue;
            }
            for (String contentType : CONTENT_TYPES) {
                cases.add(request(name + " as " + contentType, endpoint.method(), path, List.of(), contentType,
                        contentType.startsWith("multipart") ? "--xx\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--xx--\r\n"
                                : contentType.contains("urlencoded") ? "name=x&image=y" : validBody));
            }
            cases.add(request(name + " without Content-Type", endpoint.method(), path, List.of(), null, validBody));
            for (String body : BODIES) {
                cases.add(request(name + " body " + abbreviate(body), endpoint.method(), path, List.of(), type, body));
            }
            Map<String, String> valid = validFields(endpoint.bodyType());
            List<String> fieldNames = endpoint.bodyType().isRecord()
                    ? java.util.Arrays.stream(endpoint.bodyType().getRecordComponents()).map(RecordComponent::getName).toList()
                    : List.copyOf(valid.keySet());
            for (String fieldName : fieldNames) {
                for (String value : FIELD_VALUES) {
                    Map<String, String> fields = new LinkedHashMap<>(valid);
                    fields.put(fieldName, value);
                    cases.add(request(name + " " + fieldName + "=" + abbreviate(value), endpoint.method(), path,
                            List.of(), type, json(fields)));
                }
            }
            cases.addAll(framing(name, endpoint.method(), path, validBody));
        }
        return cases;
    }

    /** Framing the server must either understand or refuse and close on: never a second request. */
    List<Case> framing(String name, String method, String path, String body) {
        String prefix = method + " " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Type: application/json\r\n";
        int length = body.getBytes(StandardCharsets.UTF_8).length;
        String chunked = Integer.toHexString(length) + "\r\n" + body + "\r\n0\r\n\r\n";
        List<Case> cases = new ArrayList<>();
        for (String framing : List.of(
                "Transfer-Encoding: chunked\r\n\r\n" + chunked,
                "Transfer-Encoding: chunked\r\nContent-Length: " + chunked.length() + "\r\n\r\n" + chunked,
                "Content-Length: " + chunked.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked,
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked,
                "Transfer-Encoding: Chunked\r\n\r\n" + chunked,
                "Transfer-Encoding:  chunked \r\n\r\n" + chunked,
                "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + "\r\n0\r\n\r\n",
                "Transfer-Encoding: chunked\r\n\r\n0x" + Integer.toHexString(length) + "\r\n" + body + "\r\n0\r\n\r\n",
                "Transfer-Encoding: chunked\r\n\r\n+" + Integer.toHexString(length) + "\r\n" + body + "\r\n0\r\n\r\n",
                "Transfer-Encoding: chunked\r\n\r\n-0\r\n\r\n",
                "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n" + body + "\r\n0\r\n\r\n",
                "Transfer-Encoding: chunked\r\n\r\n1\r\n" + body + "\r\n0\r\n\r\n",
                "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(length) + "\n" + body + "\n0\n\n",
                "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(length) + ";ext=\"x\r\n" + body + "\r\n0\r\n\r\n",
                "Content-Length: " + length + "\r\nContent-Length: " + (length + 1) + "\r\n\r\n" + body + " ",
                "Content-Length: " + length + ", " + length + "\r\n\r\n" + body,
                "Content-Length: +" + length + "\r\n\r\n" + body,
                "Content-Length: 0" + length + "\r\n\r\n" + body,
                "Content-Length: 99999999999999999999\r\n\r\n" + body,
                "Content-Length : " + length + "\r\n\r\n" + body,
                "Content-Length: " + length + "\n\n" + body)) {
            cases.add(new Case(name + " framing " + abbreviate(framing), (prefix + framing).getBytes(StandardCharsets.UTF_8), false));
        }
        return cases;
    }

    static String abbreviate(String text) {
        String shown = text.length() > 60 ? text.substring(0, 60) + "...(" + text.length() + ")" : text;
        return shown.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0");
    }

    @Test
    void noHostileRequestGetsA5xxAWrongErrorFormatOrDesynchronisesTheConnection() throws Exception {
        if (send("GET", "/api/v1/apps/" + APP, null).statusCode() == 404) {
            assertThat(createApp("{\"name\":\"" + APP + "\"}").statusCode()).isEqualTo(201);
        }
        List<Case> corpus = corpus();
        assertThat(endpoints()).extracting(Endpoint::template)
                .contains("/api/v1/apps", "/api/v1/apps/{app}", "/api/v1/apps/{app}/deploys",
                        "/api/v1/apps/{app}/deploys/{id}", "/api/v1/apps/{app}/instances", "/api/v1/nodes");
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        try (Runner runner = new Runner()) {
            // the control: a request with a second one hidden behind a zero length must be seen as a desync
            assertThat(runner.run(new Case("control", ("GET /api/v1/nodes HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                    + "GET /api/v1/nodes HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII), false)))
                    .anySatisfy(failure -> assertThat(failure).contains("desync"));
            runner.reconnect();
            for (Case hostile : corpus) {
                failures.addAll(runner.run(hostile));
            }
            System.out.printf("Hostile-input suite: %d requests in %d ms, statuses %s, %d closed without an answer%n",
                    corpus.size(), (System.nanoTime() - started) / 1_000_000, runner.statuses, runner.unanswered);
        }
        assertThat(failures).as(failures.size() + " of " + corpus.size() + " hostile requests").isEmpty();
        assertThat(corpus.size()).isGreaterThan(1000);
    }

    /** Sends cases on one keep-alive connection, opening a new one whenever the server closed it. */
    final class Runner implements AutoCloseable {
        final Map<Integer, Integer> statuses = new TreeMap<>();
        int unanswered;
        RawHttp connection = new RawHttp(port);

        Runner() throws IOException {
        }

        /** What went wrong with this case: its answer, or the next request's on the same connection. */
        List<String> run(Case hostile) throws IOException {
            List<String> failures = new ArrayList<>();
            RawHttp.Response response;
            try {
                response = connection.exchange(hostile.bytes(), hostile.head());
            } catch (IOException e) {
                failures.add(hostile.label() + ": " + e.getMessage());
                reconnect();
                return failures;
            }
            if (response == null) {
                unanswered++;
                reconnect();
                return failures;
            }
            statuses.merge(response.status(), 1, Integer::sum);
            String problem = check(response, hostile.head());
            if (problem != null) {
                failures.add(hostile.label() + ": " + problem);
            }
            if (response.closed()) {
                reconnect();
                return failures;
            }
            RawHttp.Response probe = null;
            try {
                probe = connection.exchange(PROBE.getBytes(StandardCharsets.US_ASCII), false);
            } catch (IOException e) {
                failures.add(hostile.label() + ": the next request got no answer (" + e.getMessage() + ")");
            }
            if (probe != null && (probe.status() != 200 || !probe.bodyText().contains("\"name\":\"" + APP + "\""))) {
                failures.add(hostile.label() + ": desync, the next request on the connection got " + probe.status()
                        + " " + abbreviate(probe.bodyText()));
            }
            if (probe == null || probe.closed()) {
                reconnect();
            }
            return failures;
        }

        void reconnect() throws IOException {
            connection.close();
            connection = new RawHttp(port);
        }

        @Override
        public void close() throws IOException {
            connection.close();
        }
    }

    /** What is wrong with the answer, or null. */
    String check(RawHttp.Response response, boolean head) {
        int status = response.status();
        if (status >= 500) {
            return "answered " + status + " " + abbreviate(response.bodyText());
        }
        if (status < 400) {
            return null;
        }
        String type = response.header("Content-Type");
        if (type == null || !type.startsWith("application/problem+json")) {
            return status + " with Content-Type " + type + ": " + abbreviate(response.bodyText());
        }
        if (head) {
            return null;
        }
        try {
            JsonNode problem = json.readTree(response.bodyText());
            if (problem.path("status").asInt() != status) {
                return status + " with a problem whose status is " + problem.path("status");
            }
        } catch (RuntimeException e) {
            return status + " with an unparsable problem body: " + abbreviate(response.bodyText());
        }
        return null;
    }
}
