package io.atoll.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.testing.TestDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A previous process left one build RUNNING (in step {@code assemble}) and one QUEUED in the
 * database before this one starts: the running one ends FAILED ("build-service restarted", at
 * the step it was in), the queued one runs.
 */
// callers are let in as in dev: who may is PlatformAccessTest's matter
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {"atoll.build.platform.anonymous=true",
        "atoll.build.data-dir=target/test-data"})
@Import(BuildServiceTestSupport.Builders.class)
@Tag(TestDatabase.TAG)
class RestartRecoveryTest {

    static final String LEFT_RUNNING = "00000000-0000-0000-0000-00000000000a";
    static final String LEFT_QUEUED = "00000000-0000-0000-0000-00000000000b";

    @DynamicPropertySource
    static void previousProcess(DynamicPropertyRegistry registry) throws IOException, SQLException {
        // H2 in memory, or a fresh PostgreSQL database in the pom's second run
        DriverManagerDataSource db = (DriverManagerDataSource) TestDatabase.dataSource();
        Flyway.configure().dataSource(db).load().migrate();
        try (Connection c = db.getConnection()) {
            c.createStatement().executeUpdate("""
                    insert into build (id, app, source_kind, repository, ref, status, current_step, trigger_kind,
                      created_at, started_at, version)
                    values ('%s', 'old', 'git', 'https://g.example/old.git', 'main', 'RUNNING', 'assemble', 'manual',
                      current_timestamp, current_timestamp, 1),
                           ('%s', 'old', 'git', 'https://g.example/old.git', 'next', 'QUEUED', null, 'manual',
                      current_timestamp, null, 1)""".formatted(LEFT_RUNNING, LEFT_QUEUED));
        }
        registry.add("spring.datasource.url", db::getUrl);
        registry.add("spring.datasource.username", db::getUsername);
        registry.add("spring.datasource.password", db::getPassword);
    }

    @LocalServerPort
    int port;

    @Autowired
    ScriptedBuilder builder;

    @Test
    void aBuildLeftRunningFailsAndAQueuedOneRuns() {
        Http http = new Http(port);
        JsonNode failed = http.get("/api/v1/builds/" + LEFT_RUNNING).json();
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("reason").asString()).isEqualTo("build-service restarted");
        assertThat(failed.get("failedStep").asString()).isEqualTo("assemble");
        assertThat(failed.get("finishedAt").isNull()).isFalse();

        java.time.Instant deadline = java.time.Instant.now().plusSeconds(10);
        String status = null;
        while (java.time.Instant.now().isBefore(deadline)) {
            status = http.get("/api/v1/builds/" + LEFT_QUEUED).json().get("status").asString();
            if (status.equals("SUCCEEDED")) {
                break;
            }
            BuildServiceTestSupport.sleep(20);
        }
        assertThat(status).isEqualTo("SUCCEEDED");
        assertThat(builder.maxRunning.get()).isEqualTo(1);
    }
}
