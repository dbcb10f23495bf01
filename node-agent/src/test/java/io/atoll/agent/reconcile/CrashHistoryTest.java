package io.atoll.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.agent.config.AgentProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CrashHistoryTest {

    private static final Duration BRIEFLY = Duration.ofMillis(200);

    private final CrashHistory history = new CrashHistory(new AgentProperties.Restart(null, null, null, null, null));

    @Test
    void theFirstThreeCrashesAreRestartedAtOnceThenTheBackoffDoublesFromOneSecondToThirty() {
        assertThat(history.backoff(1)).isZero();
        assertThat(history.backoff(2)).isZero();
        assertThat(history.backoff(3)).isZero();
        assertThat(history.backoff(4)).isEqualTo(Duration.ofSeconds(1));
        assertThat(history.backoff(5)).isEqualTo(Duration.ofSeconds(2));
        assertThat(history.backoff(8)).isEqualTo(Duration.ofSeconds(16));
        assertThat(history.backoff(9)).isEqualTo(Duration.ofSeconds(30));
        assertThat(history.backoff(60)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theFourthCrashInARowIsACrashLoop() {
        int crashes = 0;
        for (int i = 0; i < 3; i++) {
            crashes = history.record(BRIEFLY);
            assertThat(history.isCrashLoop(crashes)).isFalse();
        }
        crashes = history.record(BRIEFLY);
        assertThat(crashes).isEqualTo(4);
        assertThat(history.isCrashLoop(crashes)).isTrue();
    }

    @Test
    void aContainerThatRanFiveMinutesStartsTheCountOver() {
        for (int i = 0; i < 6; i++) {
            history.record(BRIEFLY);
        }
        assertThat(history.record(Duration.ofMinutes(4))).isEqualTo(7);
        int crashes = history.record(Duration.ofMinutes(5));
        assertThat(crashes).isEqualTo(1);
        assertThat(history.backoff(crashes)).isZero();
        assertThat(history.isCrashLoop(crashes)).isFalse();
    }
}
