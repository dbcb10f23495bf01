package io.atoll.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * One real PostgreSQL 15 server for the whole test JVM, from {@code atoll/postgres:15-local}
 * (script/lib/images.sh builds it from Debian's packages). It starts on first use and goes with
 * the JVM. Each caller gets a database of its own ({@link #createDatabase()}), so two Spring
 * contexts never see each other's rows.
 */
public final class Postgres {

    public static final DockerImageName IMAGE = DockerImageName.parse("atoll/postgres:15-local");
    private static final String USER = "atoll";
    private static final String PASSWORD = "atoll";
    private static final String ADMIN_DATABASE = "atoll";
    private static Postgres shared;

    private final GenericContainer<?> container;
    private final AtomicInteger databases = new AtomicInteger();

    /** A database of this server and the credentials of its owner. */
    public record Database(String name, String jdbcUrl, String username, String password) {

        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl, username, password);
        }
    }

    private Postgres() {
        container = new GenericContainer<>(IMAGE)
                .withEnv(Map.of("POSTGRES_USER", USER, "POSTGRES_PASSWORD", PASSWORD, "POSTGRES_DB", ADMIN_DATABASE))
                .withExposedPorts(5432)
                // the data dies with the container anyway: keep it off the disk
                .withTmpFs(Map.of("/var/lib/postgresql/data", "rw"))
                // over TCP, as the tests connect: ready once it takes connections there
                .waitingFor(Wait.forSuccessfulCommand("pg_isready -q -h 127.0.0.1 -U " + USER + " -d " + ADMIN_DATABASE)
                        .withStartupTimeout(Duration.ofSeconds(60)));
        container.start();
    }

    /** The server, started on first call. */
    public static synchronized Postgres shared() {
        if (shared == null) {
            shared = new Postgres();
        }
        return shared;
    }

    /** A new, empty database, owned by the server's superuser. */
    public Database createDatabase() {
        String name = "test_" + databases.incrementAndGet();
        try (Connection admin = DriverManager.getConnection(jdbcUrl(ADMIN_DATABASE), USER, PASSWORD);
                Statement sql = admin.createStatement()) {
            sql.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return new Database(name, jdbcUrl(name), USER, PASSWORD);
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://" + container.getHost() + ":" + container.getMappedPort(5432) + "/" + database;
    }
}
