package io.atoll.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.json.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Agents and platform-api of different versions read each other's values (DESIGN §2). */
class NodeInfoJsonTest {

    private final JsonCodec codec = JsonCodec.shared();

    @Test
    void anEntryOfAnOlderAgentReadsWithoutAnAgentUrl() {
        String old = """
                {"nodeId":"n1","advertisedHost":"10.0.0.5","zone":"zone-a","region":"r1",
                 "capacity":{"memoryMb":1024,"cpuShares":1024,"containers":8},
                 "usage":{"memoryMb":0,"cpuShares":0,"containers":0},
                 "maintenance":false,"agentVersion":"0.1","sessionTimeoutMillis":15000}""";
        NodeInfo node = codec.decode(old.getBytes(StandardCharsets.UTF_8), NodeInfo.class);
        assertThat(node.agentUrl()).isNull();
        assertThat(node.sessionTimeoutMillis()).isEqualTo(15000);
    }

    @Test
    void theOlderConstructorsLeaveTheNewComponentsUnset() {
        NodeInfo eight = new NodeInfo("n1", "h", "z", "r", Resources.NONE, Resources.NONE, false, "v");
        NodeInfo nine = new NodeInfo("n1", "h", "z", "r", Resources.NONE, Resources.NONE, false, "v", 5000);
        assertThat(eight.agentUrl()).isNull();
        assertThat(eight.sessionTimeoutMillis()).isZero();
        assertThat(nine.agentUrl()).isNull();
        assertThat(nine.sessionTimeoutMillis()).isEqualTo(5000);
    }

    @Test
    void theAgentUrlRoundTrips() {
        NodeInfo node = new NodeInfo("n1", "h", "z", "r", Resources.NONE, Resources.NONE, false, "v", 5000,
                "http://10.0.0.5:8082");
        assertThat(codec.decode(codec.encode(node), NodeInfo.class)).isEqualTo(node);
    }

    @Test
    void aLogLineRoundTripsWithItsTime() {
        LogLine line = new LogLine("app", "i-1", "n1", LogLine.STDERR, Instant.parse("2026-11-30T13:05:30.123456789Z"),
                "data: not an event\r\u0000\u001b[31m");
        String json = codec.encodeToString(line);
        assertThat(json).doesNotContain("\n").doesNotContain("\r");
        assertThat(codec.decode(json.getBytes(StandardCharsets.UTF_8), LogLine.class)).isEqualTo(line);
    }

    @Test
    void aLineAsTextIsOneLineWhateverTheAppWrote() {
        LogLine line = new LogLine("app", "i-1", "n1", LogLine.STDOUT, Instant.parse("2026-11-30T13:05:30Z"),
                "a\rb\u0000c\u001b[31md\te\u0085f\u2028g");
        assertThat(line.toText()).isEqualTo("2026-11-30T13:05:30Z i-1 stdout a\uFFFDb\uFFFDc\uFFFD[31md\te\uFFFDf\u2028g");
        assertThat(LogLine.notice("app", null, "n1", "node n1 could not be reached").toText())
                .endsWith(" - atoll node n1 could not be reached");
    }
}
