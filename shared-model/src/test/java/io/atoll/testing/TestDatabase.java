package io.atoll.testing;

import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The database the tests that use SQL run on, chosen by the system property
 * {@value #PROPERTY}: {@code h2} (the default: the URL each test configures) or
 * {@code postgresql} (a fresh database of the shared {@link Postgres} server). Those tests carry
 * the tag {@value #TAG} (platform-api's {@code ApiTestSupport} tests, build-service's record tests),
 * and the poms of platform-api and build-service run them once on each.
 */
public final class TestDatabase {

    public static final String PROPERTY = "atoll.test.database";
    public static final String TAG = "sql";

    private TestDatabase() {
    }

    public static boolean postgresql() {
        String database = System.getProperty(PROPERTY, "h2");
        return switch (database) {
            case "h2" -> false;
            case "postgresql" -> true;
            default -> throw new IllegalArgumentException(PROPERTY + " is h2 or postgresql, not " + database);
        };
    }

    /**
     * For a Spring context's {@code @DynamicPropertySource}: on PostgreSQL, a database of its own
     * (made now, as the context starts), which wins over the H2 URL of {@code @TestPropertySource};
     * on H2, nothing.
     */
    public static void register(DynamicPropertyRegistry properties) {
        if (!postgresql()) {
            return;
        }
        Postgres.Database database = Postgres.shared().createDatabase();
        properties.add("spring.datasource.url", database::jdbcUrl);
        properties.add("spring.datasource.username", database::username);
        properties.add("spring.datasource.password", database::password);
    }

    /** A new, empty database for a test that uses SQL without Spring: H2 in memory, or PostgreSQL. */
    public static DataSource dataSource() {
        if (postgresql()) {
            Postgres.Database database = Postgres.shared().createDatabase();
            return new DriverManagerDataSource(database.jdbcUrl(), database.username(), database.password());
        }
        return new DriverManagerDataSource("jdbc:h2:mem:test-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
    }
}
