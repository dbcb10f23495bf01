package io.atoll.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogTailTest {

    @Test
    void keepsTheLastLinesAcrossChunksWithoutTheirLineEnds() {
        LogTail tail = new LogTail(2, 4096, null);
        feed(tail, "one\r\ntw", "o\nthree\n", "four");
        assertThat(tail.lines()).containsExactly("three", "four");
    }

    @Test
    void staysWithinTheByteBoundDroppingTheOldestLinesAndCuttingALongOne() {
        LogTail tail = new LogTail(20, 10, null);
        feed(tail, "aaaa\nbbbb\ncccc\n");
        assertThat(tail.lines()).containsExactly("bbbb", "cccc");

        LogTail longLine = new LogTail(20, 10, null);
        feed(longLine, "x".repeat(1_000_000) + "\n");
        assertThat(longLine.lines()).containsExactly("xxxxxxx…");
    }

    @Test
    void dropsLinesStampedBeforeTheRunAndTheStamps() {
        LogTail tail = new LogTail(20, 4096, Instant.parse("2026-11-30T10:00:01Z"));
        feed(tail,
                "2026-11-30T10:00:00.900000000Z earlier run\n",
                "2026-11-30T10:00:01.100000000Z this run, one\n",
                "2026-11-30T10:00:01.200000000Z this run, two\n");
        assertThat(tail.lines()).containsExactly("this run, one", "this run, two");
    }

    private static void feed(LogTail tail, String... chunks) {
        for (String chunk : chunks) {
            tail.accept(chunk.getBytes(StandardCharsets.UTF_8));
        }
    }
}
