package io.atoll.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeDelaysTest {

    @Test
    void aNewContainerIsProbedAtOnceAfter10MsThenFrom50MsDoublingUpToTheInterval() {
        List<Long> delays = new ArrayList<>();
        long delay = ProbeDelays.FIRST_MILLIS;
        for (int i = 0; i < 9; i++) {
            delays.add(delay);
            delay = ProbeDelays.next(delay, false, 1000);
        }
        assertThat(delays).containsExactly(0L, 10L, 50L, 100L, 200L, 400L, 800L, 1000L, 1000L);
    }

    @Test
    void onlyTheEarlyProbesFailWithoutCounting() {
        assertThat(ProbeDelays.countsFailure(ProbeDelays.FIRST_MILLIS, 1000)).isFalse();
        assertThat(ProbeDelays.countsFailure(ProbeDelays.EARLY_RETRY_MILLIS, 1000)).isFalse();
        assertThat(ProbeDelays.countsFailure(ProbeDelays.RETRY_MILLIS, 1000)).isTrue();
        assertThat(ProbeDelays.countsFailure(1000, 1000)).isTrue();
        // the third counted failure (the default threshold) comes 360 ms after the start, as before
        long elapsed = 0;
        int counted = 0;
        long delay = ProbeDelays.FIRST_MILLIS;
        while (counted < 3) {
            elapsed += delay;
            if (ProbeDelays.countsFailure(delay, 1000)) {
                counted++;
            }
            delay = ProbeDelays.next(delay, false, 1000);
        }
        assertThat(elapsed).isEqualTo(360);
    }

    @Test
    void onceHealthyEveryInterval() {
        assertThat(ProbeDelays.next(0, true, 1000)).isEqualTo(1000);
        assertThat(ProbeDelays.next(400, true, 5000)).isEqualTo(5000);
    }

    @Test
    void withAnIntervalUnder50MsEveryProbeAtTheIntervalCounts() {
        assertThat(ProbeDelays.countsFailure(0, 20)).isFalse();
        assertThat(ProbeDelays.countsFailure(10, 20)).isFalse();
        assertThat(ProbeDelays.countsFailure(20, 20)).isTrue();
        assertThat(ProbeDelays.countsFailure(5, 5)).isTrue();
    }

    @Test
    void neverLongerThanTheInterval() {
        assertThat(ProbeDelays.next(0, false, 5)).isEqualTo(5);
        assertThat(ProbeDelays.next(10, false, 20)).isEqualTo(20);
        assertThat(ProbeDelays.next(20, false, 20)).isEqualTo(20);
    }
}
