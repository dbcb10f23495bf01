package io.atoll.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * What an operator sees of any service's warm-up through its {@code warmup} health: held back
 * while it runs, UP with its counts when over, and a context closing mid-warm-up neither waits for
 * the warm-up's next look nor leaves readiness reporting a warm service.
 */
class StartupWarmupTest {

    /** Load that runs until the warm-up's own limits end it, then cleans up. */
    static class Load extends StartupWarmup {

        final Duration maxDuration;
        final CountDownLatch running = new CountDownLatch(1);
        final AtomicBoolean cleanedUp = new AtomicBoolean();
        volatile long sent;

        Load(Duration maxDuration) {
            super("test-warmup", Duration.ofSeconds(10));
            this.maxDuration = maxDuration;
        }

        @Override
        public void start() {
            launch();
        }

        @Override
        protected String warmUp(long started) {
            running.countDown();
            try {
                return until(started, Duration.ZERO, maxDuration, Long.MAX_VALUE, () -> {
                    sent += 100;
                    return null;
                });
            } finally {
                cleanedUp.set(true);
            }
        }

        @Override
        protected Map<String, Object> counts() {
            return Map.of("requests", sent);
        }

        @Override
        protected String summary() {
            return sent + " requests";
        }
    }

    private static Health health(StartupWarmup warmup) {
        return new WarmupHealthIndicator(warmup).health(true);
    }

    @Test
    void outOfServiceWhileItRunsThenUpWithWhyItEndedAndItsCounts() {
        Load load = new Load(Duration.ofSeconds(2));
        assertThat(health(load).getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        load.start();
        assertThat(load.isRunning()).isTrue();
        assertThat(health(load).getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(health(load).getDetails()).containsEntry("state", "running");

        await().atMost(Duration.ofSeconds(10)).until(load::finished);
        Health over = health(load);
        assertThat(over.getStatus()).isEqualTo(Status.UP);
        assertThat(over.getDetails()).containsEntry("endedBy", "max-duration").containsKey("tookMillis");
        assertThat((Long) over.getDetails().get("requests")).isGreaterThanOrEqualTo(100);
        assertThat((Long) over.getDetails().get("tookMillis")).isBetween(1900L, 5000L);
        assertThat(load.cleanedUp).isTrue();
        assertThat(load.isRunning()).isFalse();
    }

    @Test
    void stopDuringTheWarmUpReturnsPromptlyAfterItsCleanUpAndReadinessNeverGoesUp() throws Exception {
        Load load = new Load(Duration.ofMinutes(5));
        load.start();
        assertThat(load.running.await(5, TimeUnit.SECONDS)).isTrue();

        long before = System.nanoTime();
        load.stop();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);

        // Woken at once, not at the warm-up's next once-a-second look.
        assertThat(tookMillis).isLessThan(500);
        assertThat(load.cleanedUp).as("clean-up done before stop returned").isTrue();
        assertThat(load.finished()).isTrue();
        Health stopped = health(load);
        assertThat(stopped.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(stopped.getDetails()).containsEntry("endedBy", StartupWarmup.STOPPED);
    }

    @Test
    void aFailedWarmUpStillReportsReady() {
        StartupWarmup failing = new Load(Duration.ofSeconds(1)) {
            @Override
            protected String warmUp(long started) {
                throw new IllegalStateException("no port");
            }
        };
        failing.start();
        await().atMost(Duration.ofSeconds(5)).until(failing::finished);
        assertThat(health(failing).getStatus()).isEqualTo(Status.UP);
        assertThat(health(failing).getDetails().get("endedBy")).asString().startsWith("failed: ").contains("no port");
    }

    @Test
    void aSkippedWarmUpIsReadyAtOnceAndCannotStartLater() {
        Load load = new Load(Duration.ofSeconds(30));
        load.skip("disabled");
        load.start();
        assertThat(load.isRunning()).isFalse();
        assertThat(load.running.getCount()).isEqualTo(1);
        assertThat(health(load).getStatus()).isEqualTo(Status.UP);
        assertThat(health(load).getDetails()).containsEntry("endedBy", "disabled").containsEntry("tookMillis", 0L);
    }
}
