package io.atoll.build.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.assertj.core.api.AbstractThrowableAssert;

/** Tarballs written with Commons Compress in the test, hostile ones among them. */
class TarballSourceTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path temp;

    private Path workspaces() {
        return temp.resolve("workspaces");
    }

    private TarballSource source(int maxEntries, long maxBytes) {
        return new TarballSource(new SourceProperties.Upload(maxEntries, maxBytes, Long.MAX_VALUE), workspaces());
    }

    private TarballSource source() {
        return source(1000, 16 * MIB);
    }

    @AfterEach
    void nothingIsLeftBehind() throws IOException {
        try (Stream<Path> left = Files.list(workspaces())) {
            assertThat(left).as("refused or closed workspaces are deleted").isEmpty();
        }
        try (Stream<Path> all = Files.list(temp)) {
            assertThat(all.map(p -> p.getFileName().toString())).containsExactly("workspaces");
        }
    }

    @FunctionalInterface
    interface Entries {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static byte[] tarGz(Entries entries) throws IOException {
        return tarGz(1, entries);
    }

    private static byte[] tarGz(int level, Entries entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GzipParameters fast = new GzipParameters();
        fast.setCompressionLevel(level);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes, fast))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            entries.write(tar);
        }
        return bytes.toByteArray();
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(content.length);
        entry.setMode(mode);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, String content) throws IOException {
        file(tar, name, content.getBytes(StandardCharsets.UTF_8), 0100644);
    }

    private static void special(TarArchiveOutputStream tar, String name, byte type, String linkTo) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
        if (linkTo != null) {
            entry.setLinkName(linkTo);
        }
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refused(TarballSource source, byte[] upload, int status) {
        return assertThatThrownBy(() -> source.extract(new ByteArrayInputStream(upload)).close())
                .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.status()).isEqualTo(status));
    }

    @Test
    void aValidTarballIsExtractedExactly() throws Exception {
        byte[] jar = new byte[70_000];
        Arrays.fill(jar, (byte) 7);
        byte[] upload = tarGz(tar -> {
            special(tar, "./", TarConstants.LF_DIR, null);
            file(tar, "./atoll.yml", "name: hello\n");
            file(tar, "mvnw", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0100755);
            special(tar, "src/main/", TarConstants.LF_DIR, null);
            file(tar, "src/main/App.java", "class App {}");
            file(tar, "lib/deep/a.jar", jar, 0100644);
            special(tar, "empty/", TarConstants.LF_DIR, null);
        });
        try (Workspace ws = source().extract(new ByteArrayInputStream(upload))) {
            Path dir = ws.directory();
            assertThat(dir.resolve("atoll.yml")).hasContent("name: hello\n");
            assertThat(dir.resolve("src/main/App.java")).hasContent("class App {}");
            assertThat(Files.readAllBytes(dir.resolve("lib/deep/a.jar"))).isEqualTo(jar);
            assertThat(dir.resolve("empty")).isEmptyDirectory();
            assertThat(Files.getPosixFilePermissions(dir.resolve("mvnw"))).contains(PosixFilePermission.OWNER_EXECUTE);
            assertThat(Files.getPosixFilePermissions(dir.resolve("atoll.yml"))).doesNotContain(PosixFilePermission.OWNER_EXECUTE);
            try (Stream<Path> all = Files.walk(dir)) {
                assertThat(all.filter(Files::isRegularFile).count()).isEqualTo(4);
            }
            assertThat(ws.revision()).matches("sha256:[0-9a-f]{64}");
            try (Workspace again = source().extract(new ByteArrayInputStream(upload))) {
                assertThat(again.revision()).as("the same upload, the same revision").isEqualTo(ws.revision());
            }
        }
    }

    @Test
    void traversalIsRefused() throws Exception {
        refused(source(), tarGz(tar -> file(tar, "../evil", "x")), 400).hasMessageContaining("'..'");
        refused(source(), tarGz(tar -> {
            file(tar, "ok.txt", "fine");
            file(tar, "a/../../evil", "x");
        }), 400).hasMessageContaining("'a/../../evil'");
        // nothingIsLeftBehind: no "evil" next to the workspaces
    }

    @Test
    void absolutePathsAreRefused() throws Exception {
        refused(source(), tarGz(tar -> file(tar, "/tmp/evil", "x")), 400).hasMessageContaining("absolute");
    }

    @Test
    void linksDevicesAndFifosAreRefused() throws Exception {
        refused(source(), tarGz(tar -> special(tar, "passwd", TarConstants.LF_SYMLINK, "/etc/passwd")), 400)
                .hasMessageContaining("'passwd' is a link");
        refused(source(), tarGz(tar -> special(tar, "up", TarConstants.LF_SYMLINK, "../..")), 400)
                .hasMessageContaining("link");
        refused(source(), tarGz(tar -> {
            file(tar, "a.txt", "a");
            special(tar, "b.txt", TarConstants.LF_LINK, "a.txt");
        }), 400).hasMessageContaining("'b.txt' is a link");
        refused(source(), tarGz(tar -> special(tar, "null", TarConstants.LF_CHR, null)), 400).hasMessageContaining("device");
        refused(source(), tarGz(tar -> special(tar, "disk", TarConstants.LF_BLK, null)), 400).hasMessageContaining("device");
        refused(source(), tarGz(tar -> special(tar, "pipe", TarConstants.LF_FIFO, null)), 400).hasMessageContaining("fifo");
    }

    @Test
    void tooManyEntriesAre413() throws Exception {
        byte[] upload = tarGz(tar -> {
            for (int i = 0; i < 100_000; i++) {
                file(tar, "f" + i, new byte[0], 0100644);
            }
        });
        refused(source(1000, 512 * MIB), upload, 413).hasMessageContaining("more than 1000 entries");
        // empty files declare no size, yet their headers are decompressed bytes too: counted
        refused(source(1_000_000, MIB), upload, 413).hasMessageContaining("more than " + MIB + " bytes");
    }

    @Test
    void aBombStopsAtTheByteLimitQuickly() throws Exception {
        // 1 GiB of zeros, about 1 MiB compressed
        byte[] upload = tarGz(9, tar -> {
            TarArchiveEntry entry = new TarArchiveEntry("zeros");
            entry.setSize(1024 * MIB);
            tar.putArchiveEntry(entry);
            byte[] block = new byte[(int) MIB];
            for (int i = 0; i < 1024; i++) {
                tar.write(block);
            }
            tar.closeArchiveEntry();
        });
        assertThat(upload.length).isLessThan((int) (8 * MIB));
        long start = System.nanoTime();
        refused(source(1000, 64 * MIB), upload, 413).hasMessageContaining("more than " + 64 * MIB + " bytes");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void manyFilesAddingUpPastTheLimitAre413() throws Exception {
        byte[] upload = tarGz(tar -> {
            for (int i = 0; i < 10; i++) {
                file(tar, "part" + i, new byte[(int) MIB], 0100644);
            }
        });
        refused(source(1000, 5 * MIB), upload, 413).hasMessageContaining("bytes");
        try (Workspace ws = source(1000, 11 * MIB).extract(new ByteArrayInputStream(upload))) {
            assertThat(ws.directory().resolve("part9")).hasSize(MIB);
        }
    }

    @Test
    void overlongSegmentsAndDuplicatesAreRefused() throws Exception {
        refused(source(), tarGz(tar -> file(tar, "dir/" + "x".repeat(256), "x")), 400).hasMessageContaining("255 bytes");
        try (Workspace ws = source().extract(new ByteArrayInputStream(tarGz(tar -> file(tar, "x".repeat(255), "ok"))))) {
            assertThat(ws.directory().resolve("x".repeat(255))).hasContent("ok");
        }
        refused(source(), tarGz(tar -> {
            file(tar, "a", "1");
            file(tar, "a", "2");
        }), 400).hasMessageContaining("twice");
    }

    @Test
    void whatIsNotATarGzIsRefused() throws Exception {
        refused(source(), "plain text, not gzip".getBytes(StandardCharsets.UTF_8), 400).hasMessageContaining("gzip");
        byte[] valid = tarGz(tar -> file(tar, "a.txt", "x".repeat(100_000)));
        refused(source(), Arrays.copyOf(valid, valid.length / 2), 400);
        ByteArrayOutputStream notTar = new ByteArrayOutputStream();
        try (OutputStream gz = new GzipCompressorOutputStream(notTar)) {
            gz.write("this is gzip but not a tar archive at all".repeat(20).getBytes(StandardCharsets.UTF_8));
        }
        refused(source(), notTar.toByteArray(), 400);
    }

}
