package io.atoll.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The PostgreSQL image serves a real PostgreSQL 15, and each caller's database is its own. */
class PostgresTest {

    @Test
    void eachDatabaseIsEmptyAndItsOwn() throws Exception {
        Postgres.Database first = Postgres.shared().createDatabase();
        Postgres.Database second = Postgres.shared().createDatabase();
        assertThat(first.jdbcUrl()).isNotEqualTo(second.jdbcUrl());
        try (Connection connection = first.connect()) {
            ResultSet version = connection.createStatement().executeQuery("show server_version");
            version.next();
            assertThat(version.getString(1)).startsWith("15.");
            connection.createStatement().execute("create table app (name varchar(63) primary key)");
            connection.createStatement().execute("insert into app values ('mine')");
        }
        try (Connection connection = second.connect()) {
            assertThatThrownBy(() -> connection.createStatement().executeQuery("select * from app"))
                    .hasMessageContaining("\"app\" does not exist");
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        Postgres.Database database = Postgres.shared().createDatabase();
        assertThatThrownBy(() -> DriverManager.getConnection(database.jdbcUrl(), database.username(), "wrong"))
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
    }
}
