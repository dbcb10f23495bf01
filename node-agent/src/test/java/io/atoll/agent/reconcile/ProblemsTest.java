package io.atoll.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.model.InstanceProblem;
import io.atoll.model.InstanceProblem.Kind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProblemsTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    @Test
    void theSameRefusalLaterKeepsThePublishedOneSoNothingIsRewritten() {
        InstanceProblem first = Problems.refused(Kind.PULL_FAILED, "connection refused", 0, T0);
        InstanceProblem again = Problems.refused(Kind.PULL_FAILED, "connection refused", 0, T0.plusSeconds(30));
        assertThat(Problems.stable(first, again)).isSameAs(first);
        InstanceProblem other = Problems.refused(Kind.PULL_FAILED, "manifest unknown", 0, T0.plusSeconds(60));
        assertThat(Problems.stable(first, other)).isSameAs(other);
        assertThat(Problems.stable(first, null)).isNull();
    }

    @Test
    void configValuesLongEnoughToBeSecretsAreHiddenInMessagesAndLogLines() {
        Map<String, String> env = Map.of("DB_PASSWORD", "hunter2-hunter2", "DB_URL", "postgres://app:hunter2-hunter2@db/app",
                "DEBUG", "true");
        InstanceProblem problem = new InstanceProblem(Kind.EXITED, null, 1, null,
                List.of("connecting to postgres://app:hunter2-hunter2@db/app", "password hunter2-hunter2 refused",
                        "debug is true"), 0, T0);
        assertThat(Problems.redact(problem, env).lastLogLines())
                .containsExactly("connecting to ***", "password *** refused", "debug is true");
        assertThat(Problems.redact("invalid value hunter2-hunter2", env)).isEqualTo("invalid value ***");
    }
}
