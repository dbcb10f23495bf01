package io.atoll.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.atoll.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The service on a random port with an in-memory H2, the {@link ScriptedBuilder} in place of the
 * builder that does not exist yet, and three apps configured for webhooks: {@code hello} (its own
 * repository, the global secret), {@code web} (its own secret, the pushed repository) and
 * {@code lab} (branch {@code release}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:builds;DB_CLOSE_DELAY=-1",
        // build logs and caches under target/, never in the source tree
        "atoll.build.data-dir=target/test-data",
        // callers are let in as in dev: who may is PlatformAccessTest's matter
        "atoll.build.platform.anonymous=true",
        "atoll.build.max-concurrent=2",
        "atoll.build.hooks.secret=" + BuildServiceTestSupport.GLOBAL_SECRET,
        "atoll.build.hooks.timestamp-skew=60s",
        "atoll.build.hooks.max-body-size=65536",
        "atoll.build.apps.hello.repository=file:///srv/git/hello.git",
        "atoll.build.apps.web.secret=" + BuildServiceTestSupport.WEB_SECRET,
        "atoll.build.apps.lab.branch=release"})
@Import(BuildServiceTestSupport.Builders.class)
@Tag(TestDatabase.TAG)
abstract class BuildServiceTestSupport {

    /** On PostgreSQL (-Datoll.test.database=postgresql, the pom's second run): a database of its own. */
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry properties) {
        TestDatabase.register(properties);
    }

    static final String GLOBAL_SECRET = "global-Secret-3f9a1c";
    static final String WEB_SECRET = "web-Secret-77d0e2";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TestConfiguration(proxyBeanMethods = false)
    static class Builders {
        @Bean
        @Primary
        ScriptedBuilder scriptedBuilder() {
            return new ScriptedBuilder();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    ScriptedBuilder builder;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    /** Each test starts with no build queued or running, whatever the one before left. */
    @AfterEach
    void drain() {
        builder.reset();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (http.get("/api/v1/builds").json().findValuesAsString("status").stream()
                .anyMatch(s -> s.equals("QUEUED") || s.equals("RUNNING"))) {
            if (Instant.now().isAfter(deadline)) {
                fail("builds still queued or running after the test: " + http.get("/api/v1/builds").body());
            }
            builder.openAll();
            sleep(20);
        }
        builder.reset();
    }

    Http.Answer trigger(String app, String ref) {
        return http.postJson("/api/v1/apps/" + app + "/builds",
                "{\"repository\":\"https://git.example/" + app + ".git\",\"ref\":\"" + ref + "\"}");
    }

    String triggered(String app, String ref) {
        Http.Answer answer = trigger(app, ref);
        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        return answer.json().get("id").asString();
    }

    JsonNode build(String id) {
        Http.Answer answer = http.get("/api/v1/builds/" + id);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    String status(String id) {
        return build(id).get("status").asString();
    }

    JsonNode awaitStatus(String id, String status) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            JsonNode build = build(id);
            if (build.get("status").asString().equals(status)) {
                return build;
            }
            sleep(20);
        }
        return fail("build " + id + " did not reach " + status + ": " + build(id));
    }

    void awaitEntered(String ref) {
        try {
            assertThat(builder.entered.get(ref).await(10, java.util.concurrent.TimeUnit.SECONDS))
                    .as("a build of " + ref + " reached the builder").isTrue();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    int buildCount(String app) {
        return http.get("/api/v1/builds?app=" + app).json().size();
    }

    int allBuilds() {
        return http.get("/api/v1/builds").json().size();
    }

    static String delivery() {
        return UUID.randomUUID().toString();
    }

    static String hmac(String secret, String... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            for (String part : parts) {
                mac.update(part.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String githubPush(String ref, String after) {
        return """
                {"ref":"%s","after":"%s","repository":{"clone_url":"https://github.example/acme/web.git"},
                 "pusher":{"name":"octocat"},"sender":{"login":"octocat"}}""".formatted(ref, after);
    }

    Http.Answer github(String app, String body, String signature, String delivery) {
        return github(app, body, signature, delivery, "push");
    }

    Http.Answer github(String app, String body, String signature, String delivery, String event) {
        java.util.List<String> headers = new java.util.ArrayList<>(java.util.List.of(
                "X-GitHub-Event", event, "X-GitHub-Delivery", delivery));
        if (signature != null) {
            headers.add("X-Hub-Signature-256");
            headers.add(signature);
        }
        return http.postJson("/api/v1/hooks/github?app=" + app, body, headers.toArray(String[]::new));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
