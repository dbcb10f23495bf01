package io.atoll.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.platform.ApiTestSupport;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Who may do what, against whichever directory the subclass serves the test users from (the
 * embedded one, or a real slapd): {@code ann} is in team-a, {@code ben} in team-b, {@code cat} in
 * both, {@code ada} is an admin and {@code dan} is in no team. Each test makes apps of its own.
 */
abstract class TeamAccessContract extends ApiTestSupport {

    @Autowired
    JdbcClient jdbc;

    private final String suffix = Long.toString(System.nanoTime() % 100_000_000L, 36);

    protected HttpResponse<String> login(String user, String password, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/tokens"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        request.POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    protected String tokenOf(String user) throws Exception {
        String password = switch (user) {
            case "ann" -> "ann-secret-1";
            case "ben" -> "ben-secret-2";
            case "cat" -> "cat-secret-3";
            case "ada" -> "ada-secret-4";
            default -> "dan-secret-5";
        };
        HttpResponse<String> issued = login(user, password, "{\"name\":\"test\"}");
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        return json.readTree(issued.body()).path("token").asString();
    }

    private String app(String name) {
        return name + "-" + suffix;
    }

    @Test
    void aTeamMemberManagesTheirAppAndNobodyElseOutsideAdminsSeesOrChangesIt() throws Exception {
        String ann = tokenOf("ann");
        String ben = tokenOf("ben");
        String ada = tokenOf("ada");
        String app = app("web");

        HttpResponse<String> created = send("POST", "/api/v1/apps", "{\"name\":\"" + app + "\"}", ann);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json.readTree(created.body()).path("team").asString()).isEqualTo("team-a");
        assertThat(send("PUT", "/api/v1/apps/" + app + "/config",
                "{\"GREETING\":\"hi\",\"DB_PASSWORD\":{\"value\":\"hunter2-" + suffix + "\",\"secret\":true}}", ann)
                .statusCode()).isEqualTo(200);

        // ben, of team-b: 403 on every change and on reading its config or logs; the app is not in his list
        JsonNode refused = assertProblem(send("PUT", "/api/v1/apps/" + app + "/config",
                "{\"GREETING\":\"pwned\"}", ben), 403);
        assertThat(refused.path("detail").asString()).contains("team");
        assertProblem(send("PATCH", "/api/v1/apps/" + app + "/config", "{\"A\":\"b\"}", ben), 403);
        assertProblem(send("GET", "/api/v1/apps/" + app + "/config", null, ben), 403);
        assertProblem(send("GET", "/api/v1/apps/" + app + "/logs", null, ben), 403);
        assertProblem(send("POST", "/api/v1/apps/" + app + "/deploys", "{\"image\":\"hello:1\"}", ben), 403);
        assertProblem(send("POST", "/api/v1/apps/" + app + "/scale", "{\"instances\":3}", ben), 403);
        assertProblem(send("DELETE", "/api/v1/apps/" + app, null, ben), 403);
        assertProblem(send("PATCH", "/api/v1/apps/" + app, "{\"team\":\"team-b\"}", ben), 403);
        assertThat(send("GET", "/api/v1/apps", null, ben).body()).doesNotContain(app);
        // nor can he make an app for a team he is not in
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"" + app("steal") + "\",\"team\":\"team-a\"}", ben), 403);
        assertThat(send("GET", "/api/v1/apps/" + app + "/config", null, ann).body()).contains("GREETING", "hi");

        // an admin can
        HttpResponse<String> asAdmin = send("GET", "/api/v1/apps/" + app + "/config", null, ada);
        assertThat(asAdmin.statusCode()).isEqualTo(200);
        assertThat(asAdmin.body()).contains("GREETING").doesNotContain("hunter2");
        assertThat(send("PATCH", "/api/v1/apps/" + app + "/config", "{\"BY_ADMIN\":\"yes\"}", ada)
                .statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/v1/apps", null, ada).body()).contains(app);
        // who each is, as other services (build-service) ask
        JsonNode me = json.readTree(send("GET", "/api/v1/me", null, ben).body());
        assertThat(me.path("name").asString()).isEqualTo("ben");
        assertThat(me.path("teams").toString()).isEqualTo("[\"team-b\"]");
        assertThat(me.path("admin").asBoolean()).isFalse();
        assertThat(json.readTree(send("GET", "/api/v1/me", null, ada).body()).path("admin").asBoolean()).isTrue();
        assertProblem(send("GET", "/api/v1/me", null, null), 401);
        // cat, in both teams, must say which one owns a new app
        String cat = tokenOf("cat");
        JsonNode ambiguous = assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"" + app("both") + "\"}", cat), 400);
        assertThat(ambiguous.path("detail").asString()).contains("team-a", "team-b");
        assertProblem(send("POST", "/api/v1/apps", "{\"name\":\"" + app("none") + "\"}", tokenOf("dan")), 403);
    }

    @Test
    void onlyAdminsManageNodesAndIpGroups() throws Exception {
        String ann = tokenOf("ann");
        String ada = tokenOf("ada");
        String group = "grp-" + suffix;
        String body = "{\"cidrs\":[\"10.9.0.0/16\"],\"ports\":[5432]}";
        assertProblem(send("PUT", "/api/v1/ipgroups/" + group, body, ann), 403);
        assertProblem(send("PUT", "/api/v1/nodes/node-x/maintenance", "{\"maintenance\":true}", ann), 403);
        assertThat(send("GET", "/api/v1/nodes", null, ann).statusCode()).isEqualTo(200);
        HttpResponse<String> put = send("PUT", "/api/v1/ipgroups/" + group, body, ada);
        assertThat(put.statusCode()).as(put.body()).isBetween(200, 201);
        assertThat(send("GET", "/api/v1/ipgroups/" + group, null, ann).statusCode()).isEqualTo(200);
        assertProblem(send("DELETE", "/api/v1/ipgroups/" + group, null, ann), 403);
        assertThat(send("DELETE", "/api/v1/ipgroups/" + group, null, ada).statusCode()).isEqualTo(204);
    }

    @Test
    void aTokenIsShownOnceListedWithoutItsValueAndRefusedOnceRevokedOrExpired() throws Exception {
        assertProblem(login("ann", "wrong", null), 401);
        assertProblem(login("nobody-" + suffix, "whatever", null), 401);
        assertProblem(login("ann", "", null), 401);

        HttpResponse<String> issued = login("ann", "ann-secret-1", "{\"name\":\"ci\",\"expiresInDays\":7}");
        assertThat(issued.statusCode()).isEqualTo(201);
        JsonNode body = json.readTree(issued.body());
        String token = body.path("token").asString();
        String id = body.path("id").asString();
        assertThat(token).startsWith("atoll_").hasSizeGreaterThan(40);
        assertThat(body.path("user").asString()).isEqualTo("ann");
        assertThat(Instant.parse(body.path("expiresAt").asString()))
                .isBetween(Instant.now().plusSeconds(6 * 86400), Instant.now().plusSeconds(7 * 86400 + 60));

        HttpResponse<String> listed = send("GET", "/api/v1/tokens", null, token);
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).contains(id, "\"ci\"").doesNotContain(token);
        assertThat(jdbc.sql("select count(*) from api_token where token_hash like :t").param("t", "%" + token + "%")
                .query(Long.class).single()).as("the value is not stored").isZero();
        // a token does not get another token: a password does
        assertProblem(send("POST", "/api/v1/tokens", "{}", token), 403);
        // a password does not work anywhere else
        HttpRequest basicElsewhere = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/apps"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("ann:ann-secret-1".getBytes()))
                .GET().build();
        JsonNode basic = assertProblem(http.send(basicElsewhere, HttpResponse.BodyHandlers.ofString()), 401);
        assertThat(basic.path("detail").asString()).contains("/api/v1/tokens");

        // expired: 401
        String other = tokenOf("ann");
        String otherId = json.readTree(send("GET", "/api/v1/tokens", null, other).body()).get(0).path("id").asString();
        assertThat(send("GET", "/api/v1/apps", null, other).statusCode()).isEqualTo(200);
        jdbc.sql("update api_token set expires_at = :past where id = :id")
                .param("past", java.sql.Timestamp.from(Instant.now().minusSeconds(1))).param("id", otherId).update();
        assertThat(assertProblem(send("GET", "/api/v1/apps", null, other), 401).path("detail").asString())
                .contains("expired");

        // revoked by its owner: 401; someone else cannot revoke it (404: not theirs to know of)
        assertProblem(send("DELETE", "/api/v1/tokens/" + id, null, tokenOf("ben")), 404);
        assertThat(send("DELETE", "/api/v1/tokens/" + id, null, token).statusCode()).isEqualTo(204);
        assertThat(assertProblem(send("GET", "/api/v1/apps", null, token), 401).path("detail").asString())
                .contains("revoked");
        assertProblem(send("GET", "/api/v1/apps", null, "atoll_" + UUID.randomUUID()), 401);
        assertProblem(send("GET", "/api/v1/apps", null, null), 401);
    }

    @Test
    void hostileLoginsGetA401AndNoToken() throws Exception {
        // LDAP filter injection, wildcards, empty and odd names, with a real user's password
        for (String user : new String[] {"*", "ann*", "a*", "*)(uid=*", "ann)(|(uid=*)", "ann\u0000", "(uid=ann)",
                "ann,ou=people,dc=atoll,dc=test", "uid=ann,ou=people,dc=atoll,dc=test", "ANN\\2a", "",
                "x".repeat(5000)}) {
            HttpResponse<String> refused = login(user, "ann-secret-1", null);
            assertThat(refused.statusCode()).as("user %s", user).isEqualTo(401);
            assertThat(refused.body()).doesNotContain("token\"");
        }
        for (String header : new String[] {"Basic", "Basic ", "Basic !!!", "Basic " + Base64.getEncoder()
                .encodeToString("no-colon".getBytes()), "Basic " + Base64.getEncoder().encodeToString("ann:".getBytes()),
                "Basic " + Base64.getEncoder().encodeToString(":ann-secret-1".getBytes()), "Digest ann"}) {
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/tokens")).header("Authorization", header)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(header).isEqualTo(401);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
        }
        // the directory compares names without case or outer spaces: the same user, recorded as the directory spells it
        for (String same : new String[] {"ANN", " ann"}) {
            HttpResponse<String> issued = login(same, "ann-secret-1", null);
            assertThat(issued.statusCode()).isEqualTo(201);
            assertThat(json.readTree(issued.body()).path("user").asString()).isEqualTo("ann");
        }
    }

    @Test
    void theAuditLogShowsWhoChangedWhatAndWhatWasRefusedWithoutSecretValues() throws Exception {
        String ann = tokenOf("ann");
        String ben = tokenOf("ben");
        String app = app("audited");
        String secret = "s3cr3t-" + UUID.randomUUID();
        assertThat(send("POST", "/api/v1/apps", "{\"name\":\"" + app + "\"}", ann).statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/api/v1/apps/" + app + "/config",
                "{\"MODE\":\"prod\",\"API_KEY\":{\"value\":\"" + secret + "\",\"secret\":true}}", ann).statusCode())
                .isEqualTo(200);
        assertProblem(send("DELETE", "/api/v1/apps/" + app, null, ben), 403);
        assertProblem(login("ann", "not-her-password", null), 401);

        HttpResponse<String> log = send("GET", "/api/v1/audit?app=" + app, null, ann);
        assertThat(log.statusCode()).as(log.body()).isEqualTo(200);
        assertThat(log.body()).doesNotContain(secret);
        JsonNode events = json.readTree(log.body()).path("events");
        assertThat(events).hasSize(3);
        // newest first
        assertThat(events.get(0).path("actor").asString()).isEqualTo("ben");
        assertThat(events.get(0).path("action").asString()).isEqualTo("DELETE /api/v1/apps/" + app);
        assertThat(events.get(0).path("outcome").asInt()).isEqualTo(403);
        assertThat(events.get(1).path("actor").asString()).isEqualTo("ann");
        assertThat(events.get(1).path("action").asString()).isEqualTo("PUT /api/v1/apps/{app}/config");
        assertThat(events.get(1).path("outcome").asInt()).isEqualTo(200);
        assertThat(events.get(1).path("detail").asString()).contains("API_KEY", "MODE");
        assertThat(events.get(1).path("requestId").asString()).isNotBlank();
        assertThat(events.get(2).path("action").asString()).isEqualTo("POST /api/v1/apps");
        assertThat(events.get(2).path("app").asString()).isEqualTo(app);

        // paging: one at a time, following next
        JsonNode first = json.readTree(send("GET", "/api/v1/audit?app=" + app + "&limit=2", null, ann).body());
        assertThat(first.path("events")).hasSize(2);
        JsonNode second = json.readTree(send("GET", first.path("next").asString(), null, ann).body());
        assertThat(second.path("events")).hasSize(1);
        assertThat(second.path("events").get(0).path("action").asString()).isEqualTo("POST /api/v1/apps");

        // the refused login is on record under the name tried, outcome 401
        JsonNode mine = json.readTree(send("GET", "/api/v1/audit?user=ann&since=1h", null, ann).body()).path("events");
        assertThat(mine.findValuesAsString("outcome")).contains("401");
        // ben may not read team-a's app's log, nor the whole log; an admin reads it all
        assertProblem(send("GET", "/api/v1/audit?app=" + app, null, ben), 403);
        assertProblem(send("GET", "/api/v1/audit", null, ben), 403);
        assertThat(send("GET", "/api/v1/audit?user=ben", null, tokenOf("ada")).body()).contains(app);
        assertProblem(send("GET", "/api/v1/audit?since=yesterday", null, tokenOf("ada")), 400);
    }
}
