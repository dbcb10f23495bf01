package io.atoll.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.model.LogLine;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

    private static final String T1 = "2026-11-30T13:05:30.123456789Z";
    private static final String T2 = "2026-11-30T13:05:31.000000001Z";

    private final LineSplitter splitter = new LineSplitter("app", "i-1", "n1", LogLine.STDOUT, 64);

    @Test
    void linesSplitAcrossChunksKeepTheirTimeAndLoseTheirLineEnd() {
        List<LogLine> lines = new ArrayList<>(splitter.accept(bytes(T1 + " hel")));
        assertThat(lines).isEmpty();
        lines.addAll(splitter.accept(bytes("lo\r\n" + T2 + " world\n" + T2 + " ")));
        lines.addAll(splitter.accept(bytes("\n")));
        assertThat(lines).extracting(LogLine::line).containsExactly("hello", "world", "");
        assertThat(lines.get(0).time()).isEqualTo(Instant.parse(T1));
        assertThat(lines.get(1).time()).isEqualTo(Instant.parse(T2));
        assertThat(lines.get(0)).extracting(LogLine::app, LogLine::instance, LogLine::node, LogLine::stream)
                .containsExactly("app", "i-1", "n1", "stdout");
    }

    @Test
    void aLongLineIsCutAtTheBoundWhateverItsLengthAndTheNextLineIsWhole() {
        StringBuilder huge = new StringBuilder(T1 + " ");
        huge.append("x".repeat(1_000_000)).append('\n').append(T2).append(" next\n");
        List<LogLine> lines = splitter.accept(bytes(huge.toString()));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).line()).hasSize(64 - 3 + 1).endsWith("x…");
        assertThat(lines.get(0).line().getBytes(StandardCharsets.UTF_8)).hasSize(64);
        assertThat(lines.get(1).line()).isEqualTo("next");
    }

    @Test
    void bytesThatAreNotUtf8AndControlCharactersStayInOneLine() {
        byte[] chunk = new byte[] {'b', 0, (byte) 0xff, (byte) 0xfe, 0x1b, '\r', 'c', '\n'};
        byte[] stamped = new byte[T1.length() + 1 + chunk.length];
        System.arraycopy(bytes(T1 + " "), 0, stamped, 0, T1.length() + 1);
        System.arraycopy(chunk, 0, stamped, T1.length() + 1, chunk.length);
        List<LogLine> lines = splitter.accept(stamped);
        assertThat(lines).extracting(LogLine::line).containsExactly("b\u0000\uFFFD\uFFFD\u001b\rc");
    }

    @Test
    void theLastLineWithoutALineEndComesAtTheEndAndALineWithoutAStampTakesTheLastTime() {
        assertThat(splitter.accept(bytes(T1 + " first\nno stamp"))).extracting(LogLine::line).containsExactly("first");
        LogLine last = splitter.finish();
        assertThat(last.line()).isEqualTo("no stamp");
        assertThat(last.time()).isEqualTo(Instant.parse(T1));
        assertThat(splitter.finish()).isNull();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
