package io.atoll.platform.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.testing.TestDatabase;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** Upgrading a database from before host ownership: no app keeps a host another app had first. */
@Tag(TestDatabase.TAG)
class ClaimExistingHostsMigrationTest {

    @Test
    void existingHostsAreClaimedOldestAppFirstAndRefusedOnesDropped() {
        DataSource db = TestDatabase.dataSource();
        Flyway.configure().dataSource(db).locations("classpath:db/migration").target("1").load().migrate();
        JdbcTemplate sql = new JdbcTemplate(db);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        insertApp(sql, "mock", "mock.localhost", now);
        insertApp(sql, "early", "shop.example.com,*.wild.example.com", now.plusSeconds(1));
        insertApp(sql, "late", "shop.example.com,a.wild.example.com,ok.example.com,*.com,127.0.0.1,mock.localhost,"
                + "localhost,OK2.example.com,ok.example.com", now.plusSeconds(2));
        insertApp(sql, "bare", "", now.plusSeconds(3));

        Flyway.configure().dataSource(db).locations("classpath:db/migration")
                .javaMigrations(new ClaimExistingHostsMigration(new HostPolicy(new HostProperties("localhost"))))
                .load().migrate();

        Map<String, String> owners = new TreeMap<>();
        sql.query("select host, app from app_host", row -> {
            owners.put(row.getString(1), row.getString(2));
        });
        assertThat(owners).isEqualTo(Map.of("mock.localhost", "mock", "shop.example.com", "early",
                "*.wild.example.com", "early", "ok.example.com", "late", "ok2.example.com", "late"));
        assertThat(sql.queryForObject("select hosts from app where name = 'late'", String.class))
                .isEqualTo("ok.example.com,ok2.example.com");
        assertThat(sql.queryForObject("select hosts from app where name = 'early'", String.class))
                .isEqualTo("shop.example.com,*.wild.example.com");
        assertThat(sql.queryForObject("select hosts from app where name = 'bare'", String.class)).isEmpty();
    }

    static void insertApp(JdbcTemplate sql, String name, String hosts, Instant createdAt) {
        sql.update("insert into app (name, hosts, container_port, health_path, created_at, version) values (?, ?, 8080, '/healthz', ?, 1)",
                name, hosts, Timestamp.from(createdAt));
    }
}
