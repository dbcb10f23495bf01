package io.atoll.build.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * Unpacks an uploaded {@code .tar.gz} into a fresh {@link Workspace}, refusing what could write
 * outside it or exhaust the disk: {@code ..} segments, absolute names, links of either kind,
 * devices and fifos, names with NUL or a segment over 255 bytes, more than
 * {@code atoll.build.upload.max-entries} entries, more than {@code max-bytes} once decompressed
 * (counted as it is read, so a small bomb stops at the limit). Refusals are
 * {@link SourceException}s: {@code REFUSED} (400) or {@code TOO_LARGE} (413).
 */
public class TarballSource {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final SourceProperties.Upload limits;
    private final Path workspaceRoot;

    public TarballSource(SourceProperties.Upload limits, Path workspaceRoot) {
        this.limits = limits;
        this.workspaceRoot = workspaceRoot;
    }

    /**
     * @return the workspace; its revision is {@code sha256:<hex>} of the upload's bytes up to the
     *     tar's end (what follows it is not read)
     */
    public Workspace extract(InputStream upload) throws SourceException, IOException {
        Path directory = Workspace.create(workspaceRoot);
        boolean done = false;
        try {
            MessageDigest sha256 = sha256();
            try (DigestInputStream digested = new DigestInputStream(upload, sha256);
                    // Counts decompressed bytes; the read past the limit throws instead of ending the stream.
                    BoundedInputStream limited = BoundedInputStream.builder().setInputStream(gunzip(digested))
                            .setMaxCount(limits.maxBytes()).setOnMaxCount((max, count) -> {
                                throw new IOException(tooManyBytes());
                            }).get();
                    TarArchiveInputStream tar = new TarArchiveInputStream(limited)) {
                unpack(tar, limited, directory);
            } catch (SourceException e) {
                throw e;
            } catch (IOException e) {
                if (e.getCause() instanceof SourceException s) {
                    throw s;
                }
                throw SourceException.refused("not a readable .tar.gz: " + e.getMessage());
            }
            done = true;
            return new Workspace(directory, "sha256:" + HexFormat.of().formatHex(sha256.digest()));
        } finally {
            if (!done) {
                Workspace.delete(directory);
            }
        }
    }

    private static InputStream gunzip(InputStream in) throws SourceException {
        try {
            return new GzipCompressorInputStream(in);
        } catch (IOException e) {
            throw SourceException.refused("not a gzip stream: upload a .tar.gz");
        }
    }

    private void unpack(TarArchiveInputStream tar, BoundedInputStream limited, Path directory) throws IOException, SourceException {
        int entries = 0;
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            if (++entries > limits.maxEntries()) {
                throw SourceException.tooLarge("the tarball has more than " + limits.maxEntries() + " entries");
            }
            String name = entry.getName();
            Path target = target(directory, name);
            if (entry.isSymbolicLink() || entry.isLink()) {
                throw SourceException.refused("'" + printable(name) + "' is a link; links are refused in uploads");
            }
            if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                throw SourceException.refused("'" + printable(name) + "' is a device or fifo; refused in uploads");
            }
            if (entry.isDirectory()) {
                Files.createDirectories(target);
                continue;
            }
            if (!entry.isFile() || entry.isSparse()) {
                throw SourceException.refused("'" + printable(name) + "' is not a regular file or directory");
            }
            // A declared size over what is left is refused before a byte of it is written.
            if (entry.getSize() > limited.getRemaining()) {
                throw tooManyBytes();
            }
            Files.createDirectories(target.getParent());
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
                tar.transferTo(out);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw SourceException.refused("'" + printable(name) + "' appears twice in the tarball");
            }
            if (POSIX) {
                boolean executable = (entry.getMode() & 0100) != 0;
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    /** Where an entry goes, or a refusal if its name could lead anywhere else. */
    private static Path target(Path directory, String name) throws SourceException {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw SourceException.refused("an entry has an empty name or one with NUL in it");
        }
        if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
            throw SourceException.refused("'" + printable(name) + "' is an absolute path; entries must be relative");
        }
        String relative = name;
        while (relative.startsWith("./")) {
            relative = relative.substring(2);
        }
        for (String segment : relative.split("[/\\\\]")) {
            if (segment.equals("..")) {
                throw SourceException.refused("'" + printable(name) + "' has a '..' segment");
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > 255) {
                throw SourceException.refused("an entry has a path segment over 255 bytes");
            }
        }
        Path target = directory.resolve(relative.isEmpty() ? "." : relative).normalize();
        if (!target.startsWith(directory)) {
            throw SourceException.refused("'" + printable(name) + "' would be written outside the workspace");
        }
        return target;
    }

    private static String printable(String name) {
        String shown = name.length() > 200 ? name.substring(0, 200) + "…" : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    private SourceException tooManyBytes() {
        return SourceException.tooLarge("the tarball unpacks to more than " + limits.maxBytes() + " bytes");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
