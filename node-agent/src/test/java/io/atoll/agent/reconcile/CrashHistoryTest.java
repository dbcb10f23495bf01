package io.atoll.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.agent.config.AgentProperties;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CrashHistoryTest {

    private final CrashHistory history = new CrashHistory(new AgentProperties.Restart(null, null, null, null));

    @Test
    void backoffDoublesFromOneSecondAndStopsAtThirtySeconds() {
        assertThat(history.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(history.backoff(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(history.backoff(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(history.backoff(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(history.backoff(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(history.backoff(60)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void moreThanFiveCrashesInFiveMinutesIsACrashLoop() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        int recent = 0;
        for (int i = 0; i < 5; i++) {
            recent = history.record(start.plusSeconds(i * 10));
        }
        assertThat(history.isCrashLoop(recent)).isFalse();
        recent = history.record(start.plusSeconds(60));
        assertThat(recent).isEqualTo(6);
        assertThat(history.isCrashLoop(recent)).isTrue();
    }

    @Test
    void crashesOlderThanTheWindowNoLongerCount() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < 6; i++) {
            history.record(start.plusSeconds(i));
        }
        int recent = history.record(start.plus(Duration.ofMinutes(10)));
        assertThat(recent).isEqualTo(1);
        assertThat(history.backoff(recent)).isEqualTo(Duration.ofSeconds(1));
    }
}
