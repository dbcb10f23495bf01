package io.atoll.build;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import io.atoll.build.record.BuildRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Outside dev, build-service's API takes platform-api's tokens and asks platform-api who the
 * caller is and which apps they manage. platform-api is played here by a small HTTP server that
 * answers {@code /api/v1/me} and {@code /api/v1/apps[/{app}]} as it does (it cannot run in this
 * module's tests: it builds after it); a token of team web manages {@code web}, an admin's
 * everything. The real pair is in platform-api's end-to-end tests' reach.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:builds-access;DB_CLOSE_DELAY=-1",
        "atoll.build.data-dir=target/test-data",
        "atoll.build.platform.timeout=2s"})
@Import(BuildServiceTestSupport.Builders.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlatformAccessTest {

    static final String WEB = "atoll_web-member";
    static final String ADMIN = "atoll_admin";
    static final List<String> asked = new CopyOnWriteArrayList<>();
    static final HttpServer platform = platform();

    static HttpServer platform() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String auth = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
                String path = exchange.getRequestURI().getPath();
                asked.add(path + " " + auth);
                boolean admin = auth.equals("Bearer " + ADMIN);
                boolean web = auth.equals("Bearer " + WEB);
                int status;
                String body;
                if (!admin && !web) {
                    status = 401;
                    body = "{\"status\":401,\"detail\":\"the API token is not valid\"}";
                } else if (path.equals("/api/v1/me")) {
                    status = 200;
                    body = admin ? "{\"name\":\"ada\",\"teams\":[],\"admin\":true}"
                            : "{\"name\":\"alice\",\"teams\":[\"web\"],\"admin\":false}";
                } else if (path.equals("/api/v1/apps")) {
                    status = 200;
                    body = admin ? "[{\"name\":\"web\"},{\"name\":\"data\"}]" : "[{\"name\":\"web\"}]";
                } else if (path.equals("/api/v1/apps/web") || path.equals("/api/v1/apps/data")) {
                    status = admin || path.endsWith("/web") ? 200 : 403;
                    body = status == 200 ? "{\"name\":\"" + path.substring(13) + "\"}" : "{\"status\":403}";
                } else {
                    status = 404;
                    body = "{\"status\":404}";
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", status == 200 ? "application/json" : "application/problem+json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        platform.stop(0);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("atoll.build.platform.url", () -> "http://127.0.0.1:" + platform.getAddress().getPort());
    }

    @LocalServerPort
    int port;

    @Autowired
    BuildRepository builds;

    final HttpClient http = HttpClient.newHttpClient();
    final JsonMapper json = JsonMapper.builder().build();

    HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    @Test
    @Order(1)
    void onlyTheAppsTeamAndAdminsUseItsBuildsAndTheBuildSaysWhoAskedForIt() throws Exception {
        String body = "{\"repository\":\"https://git.example/web.git\",\"ref\":\"main\"}";
        assertProblem(call("POST", "/api/v1/apps/web/builds", null, body), 401);
        assertProblem(call("POST", "/api/v1/apps/web/builds", "atoll_forged", body), 401);
        assertProblem(call("POST", "/api/v1/apps/data/builds", WEB, body), 403);
        assertProblem(call("POST", "/api/v1/apps/nosuch/builds", WEB, body), 404);

        HttpResponse<String> made = call("POST", "/api/v1/apps/web/builds", WEB, body);
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        JsonNode build = json.readTree(made.body());
        assertThat(build.toString()).contains("alice");
        String id = build.path("id").asString();
        HttpResponse<String> byAdmin = call("POST", "/api/v1/apps/data/builds", ADMIN,
                "{\"repository\":\"https://git.example/data.git\",\"ref\":\"main\"}");
        assertThat(byAdmin.statusCode()).isEqualTo(201);
        String dataBuild = json.readTree(byAdmin.body()).path("id").asString();

        // reading: a build of another team's app is refused, the list holds only the caller's apps
        assertThat(call("GET", "/api/v1/builds/" + id, WEB, null).statusCode()).isEqualTo(200);
        assertProblem(call("GET", "/api/v1/builds/" + dataBuild, WEB, null), 403);
        assertProblem(call("GET", "/api/v1/builds/" + id, null, null), 401);
        String mine = call("GET", "/api/v1/builds", WEB, null).body();
        assertThat(mine).contains(id).doesNotContain(dataBuild);
        assertThat(call("GET", "/api/v1/builds", ADMIN, null).body()).contains(id, dataBuild);
        assertProblem(call("GET", "/api/v1/builds?app=data", WEB, null), 403);
        assertProblem(call("POST", "/api/v1/builds/" + dataBuild + "/cancel", WEB, null), 403);

        // the token went to platform-api as it was given, and nowhere else
        assertThat(asked).anySatisfy(line -> assertThat(line).isEqualTo("/api/v1/me Bearer " + WEB));
        assertThat(asked).anySatisfy(line -> assertThat(line).isEqualTo("/api/v1/apps/web Bearer " + WEB));
    }

    /** Last: it stops the stand-in platform-api. */
    @Test
    @Order(2)
    void platformApiOutOfReachIsA503AndNothingIsBuilt() throws Exception {
        long before = builds.count();
        platform.stop(0);
        assertProblem(call("POST", "/api/v1/apps/web/builds", WEB,
                "{\"repository\":\"https://git.example/web.git\",\"ref\":\"main\"}"), 503);
        assertProblem(call("GET", "/api/v1/builds", WEB, null), 503);
        assertThat(builds.count()).isEqualTo(before);
    }
}
