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
        // doubling from 1 s to the 30 s cap, each moved at random by up to a fifth
        assertThat(history.backoff(4)).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
        assertThat(history.backoff(5)).isBetween(Duration.ofMillis(1600), Duration.ofMillis(2400));
        assertThat(history.backoff(8)).isBetween(Duration.ofMillis(12800), Duration.ofMillis(19200));
        assertThat(history.backoff(9)).isBetween(Duration.ofMillis(24000), Duration.ofSeconds(30));
        assertThat(history.backoff(60)).isBetween(Duration.ofMillis(24000), Duration.ofSeconds(30));
        // jitter: instances that crashed together do not come back in step
        assertThat(java.util.stream.IntStream.range(0, 20).mapToObj(i -> history.backoff(6)).distinct().count())
                .isGreaterThan(1);
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
