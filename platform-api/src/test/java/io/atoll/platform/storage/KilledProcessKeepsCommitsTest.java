package io.atoll.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.mock.env.MockEnvironment;

/**
 * What platform-api committed to its default H2 file database is still there after {@code kill -9}.
 * With H2's default write delay a process killed within about a second of a commit lost it: a
 * deploy answered 202 vanished with its release and its instances (found by LeaderFailoverIT).
 */
class KilledProcessKeepsCommitsTest {

    @Test
    void aCommitSurvivesTheProcessBeingKilledRightAfterIt(@TempDir Path dataDir) throws Exception {
        String url = configuredUrl(dataDir);
        Process writer = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CommitThenDie.class.getName(), url))
                .redirectErrorStream(true).start();
        String output = new String(writer.getInputStream().readAllBytes());
        assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(writer.exitValue()).as(output).isEqualTo(9);

        try (Connection connection = DriverManager.getConnection(url, "sa", "");
                ResultSet rows = connection.createStatement().executeQuery("select count(*) from deploy_like")) {
            rows.next();
            assertThat(rows.getInt(1)).as("rows committed before the kill").isEqualTo(5);
        }
    }

    /** spring.datasource.url as application.yml sets it, for a data directory of the test's. */
    private static String configuredUrl(Path dataDir) throws Exception {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application.yml"));
        String url = yaml.getObject().getProperty("spring.datasource.url");
        assertThat(url).startsWith("jdbc:h2:file:");
        Files.createDirectories(dataDir);
        return new MockEnvironment().withProperty("atoll.platform.data-dir", dataDir.toString())
                .resolveRequiredPlaceholders(url);
    }

    /** Commits five rows one by one, then dies at once: no shutdown hook, nothing closed (as SIGKILL). */
    public static final class CommitThenDie {
        public static void main(String[] args) throws Exception {
            Connection connection = DriverManager.getConnection(args[0], "sa", "");
            try (Statement statement = connection.createStatement()) {
                statement.execute("create table deploy_like (id int primary key)");
                for (int i = 0; i < 5; i++) {
                    statement.execute("insert into deploy_like values (" + i + ")");
                }
            }
            Runtime.getRuntime().halt(9);
        }
    }
}
