package io.atoll.build.image;

import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;

/**
 * A Spring Boot executable jar that has a {@code layers.idx}, read so that its image can be one
 * layer per index layer instead of one layer for the whole jar: a rebuild that changes only the
 * app's classes then leaves the dependency layers' digests, and so their cached and pushed blobs,
 * as they were.
 *
 * <p>The jar is the app's own build output, but its entry names are treated as hostile: an
 * absolute name, a {@code ..} or empty segment, a backslash, a control character, a duplicate,
 * or a name that is both a file and a directory is refused, naming the entry, before anything is
 * written. Sizes are checked against what the entries really hold while they are read.
 *
 * <p>Each layer is identified by a key, the SHA-256 of its entries' names, sizes and contents'
 * SHA-256: two jars with the same files in a layer give the same key whatever their zip
 * timestamps or compression, and no crafted jar can give another jar's key with other contents
 * (a CRC-32 from the zip's directory could be forged, and the cache is shared by every app).
 */
final class BootJar {

    static final String DEFAULT_INDEX = "BOOT-INF/layers.idx";
    /** What an image of an exploded jar may hold, uncompressed; checked against what is read. */
    static final long MAX_BYTES = 2L << 30;
    static final int MAX_ENTRIES = 100_000;

    private static final String KEY_FORMAT = "atoll-exploded-1\n";
    private static final String IDENTIFIER = "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*";
    // a class name, never an option: it follows "java -cp /app" in the entrypoint
    private static final Pattern CLASS_NAME = Pattern.compile(IDENTIFIER + "(\\." + IDENTIFIER + ")*");
    private static final FileTime EXTRACTED_TIME = FileTime.from(FileEntriesLayer.DEFAULT_MODIFICATION_TIME);

    /** A file of the jar, as it is in a layer. */
    record Entry(String name, long size, String sha256) {
    }

    /** One index layer: its name, its key and its files in name order; never empty. */
    record Layer(String name, String key, List<Entry> entries) {
    }

    private final Path jar;
    private final String mainClass;
    private final List<Layer> layers;

    private BootJar(Path jar, String mainClass, List<Layer> layers) {
        this.jar = jar;
        this.mainClass = mainClass;
        this.layers = layers;
    }

    /** The jar's {@code Main-Class}: Spring Boot's launcher, which also runs from the exploded jar. */
    String mainClass() {
        return mainClass;
    }

    /** The index's non-empty layers, in its order. */
    List<Layer> layers() {
        return layers;
    }

    /**
     * Reads and checks the jar, hashing every file it holds.
     *
     * @return empty for a jar that is not Spring Boot's or has no {@code layers.idx}, and for a
     *     file that is not a readable jar: those are put into the image whole, as before
     * @throws ImageException for a layered Boot jar that cannot be exploded safely, saying why
     */
    static Optional<BootJar> read(Path path) throws IOException, ImageException {
        JarFile jar;
        try {
            jar = new JarFile(path.toFile(), false);
        } catch (ZipException e) {
            return Optional.empty();
        }
        try (jar) {
            Manifest manifest;
            try {
                manifest = jar.getManifest();
            } catch (IOException e) {
                return Optional.empty();
            }
            if (manifest == null) {
                return Optional.empty();
            }
            Attributes attributes = manifest.getMainAttributes();
            String indexName = Optional.ofNullable(attributes.getValue("Spring-Boot-Layers-Index"))
                    .orElse(DEFAULT_INDEX);
            ZipEntry index = indexName.startsWith("BOOT-INF/") ? jar.getEntry(indexName) : null;
            if (index == null || index.isDirectory()) {
                return Optional.empty();
            }
            String mainClass = attributes.getValue(Attributes.Name.MAIN_CLASS);
            if (mainClass == null || !CLASS_NAME.matcher(mainClass.strip()).matches()) {
                throw new ImageException("the Spring Boot jar's manifest has no usable Main-Class"
                        + (mainClass == null ? "" : " ('" + printable(mainClass) + "')"));
            }
            LayersIndex layersIndex = LayersIndex.parse(new String(read(jar, index, LayersIndex.MAX_BYTES),
                    StandardCharsets.UTF_8), indexName);
            return Optional.of(new BootJar(path, mainClass.strip(), layers(jar, layersIndex, indexName)));
        }
    }

    private static List<Layer> layers(JarFile jar, LayersIndex index, String indexName)
            throws IOException, ImageException {
        Map<String, List<ZipEntry>> byLayer = new LinkedHashMap<>();
        index.layers().forEach(layer -> byLayer.put(layer.name(), new ArrayList<>()));
        Set<String> names = new HashSet<>();
        Set<String> files = new HashSet<>();
        Set<String> directories = new HashSet<>();
        long bytes = 0;
        for (Enumeration<JarEntry> all = jar.entries(); all.hasMoreElements();) {
            ZipEntry entry = all.nextElement();
            String name = entry.getName();
            checkName(name);
            if (names.size() == MAX_ENTRIES) {
                throw new ImageException("the jar holds more than " + MAX_ENTRIES + " entries");
            }
            if (!names.add(name)) {
                // the JDK would read the first of the two for both: what was checked is not what is extracted
                throw new ImageException("the jar holds '" + printable(name) + "' twice");
            }
            String path = entry.isDirectory() ? name.substring(0, name.length() - 1) : name;
            for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
                directories.add(path.substring(0, slash));
            }
            if (entry.isDirectory()) {
                // a directory comes with the files in it; Boot's index assigns files only
                directories.add(path);
                continue;
            }
            files.add(path);
            String layer = index.layerOf(name);
            if (layer == null) {
                throw new ImageException("no layer in " + indexName + " holds the jar's '" + printable(name) + "'");
            }
            bytes += Math.max(entry.getSize(), 0);
            if (bytes > MAX_BYTES) {
                throw new ImageException("the jar's files come to more than " + MAX_BYTES + " bytes");
            }
            byLayer.get(layer).add(entry);
        }
        for (String file : files) {
            if (directories.contains(file)) {
                throw new ImageException("the jar's '" + printable(file) + "' is both a file and a directory");
            }
        }
        List<Layer> layers = new ArrayList<>();
        for (Map.Entry<String, List<ZipEntry>> layer : byLayer.entrySet()) {
            if (layer.getValue().isEmpty()) {
                continue;
            }
            List<Entry> entries = new ArrayList<>();
            for (ZipEntry entry : layer.getValue().stream().sorted(Comparator.comparing(ZipEntry::getName)).toList()) {
                try (InputStream in = jar.getInputStream(entry)) {
                    entries.add(new Entry(entry.getName(), entry.getSize(), copy(in, OutputStream.nullOutputStream(),
                            entry)));
                }
            }
            layers.add(new Layer(layer.getKey(), key(entries), List.copyOf(entries)));
        }
        return List.copyOf(layers);
    }

    /**
     * Writes the layer's files under {@code directory} (which must be empty), each at its name in
     * the jar and with one fixed time: jib's layer cache keys a layer by its files' paths and
     * times, so a layer extracted again into the same place is found in that cache again.
     *
     * @throws ImageException when the jar no longer holds what {@link #read} hashed
     */
    void extract(Layer layer, Path directory) throws IOException, ImageException {
        Path root = directory.toAbsolutePath().normalize();
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            List<Entry> written = new ArrayList<>();
            for (Entry entry : layer.entries()) {
                ZipEntry zipEntry = file.getEntry(entry.name());
                Path target = root.resolve(entry.name()).normalize();
                if (zipEntry == null || zipEntry.isDirectory() || !target.startsWith(root) || target.equals(root)) {
                    throw new ImageException("the jar changed while it was read: '" + printable(entry.name()) + "'");
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = file.getInputStream(zipEntry);
                        OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
                    written.add(new Entry(entry.name(), zipEntry.getSize(), copy(in, out, zipEntry)));
                } catch (IOException e) {
                    throw new IOException("cannot extract the jar's '" + printable(entry.name()) + "': " + e, e);
                }
                Files.setLastModifiedTime(target, EXTRACTED_TIME);
            }
            if (!key(written).equals(layer.key())) {
                throw new ImageException("the jar changed while it was read (layer " + layer.name() + ")");
            }
        }
    }

    /** Refuses a name that could land outside {@code /app} or mean something else on another system. */
    static void checkName(String name) throws ImageException {
        String why = null;
        if (name.isEmpty() || name.startsWith("/")) {
            why = "is absolute";
        } else if (name.indexOf('\\') >= 0) {
            why = "holds a backslash";
        } else if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            why = "holds a control character";
        } else {
            String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
            for (String segment : path.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    why = "has an empty, '.' or '..' segment";
                    break;
                }
            }
        }
        if (why != null) {
            throw new ImageException("the jar's entry '" + printable(name) + "' " + why
                    + ": refused, it could be written outside /app");
        }
    }

    /** Copies exactly the entry's declared size, returning the SHA-256 of what was copied. */
    private static String copy(InputStream in, OutputStream out, ZipEntry entry) throws IOException, ImageException {
        MessageDigest sha256 = sha256();
        long declared = entry.getSize();
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
            total += read;
            if (total > declared) {
                throw new ImageException("the jar's '" + printable(entry.getName()) + "' holds more than the "
                        + declared + " bytes its header says");
            }
            sha256.update(buffer, 0, read);
            out.write(buffer, 0, read);
        }
        if (total != declared) {
            throw new ImageException("the jar's '" + printable(entry.getName()) + "' holds " + total
                    + " bytes, its header says " + declared);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static byte[] read(JarFile jar, ZipEntry entry, int limit) throws IOException, ImageException {
        if (entry.getSize() > limit) {
            throw new ImageException(entry.getName() + " is over " + limit + " bytes");
        }
        try (InputStream in = jar.getInputStream(entry)) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new ImageException(entry.getName() + " is over " + limit + " bytes");
            }
            return bytes;
        }
    }

    private static String key(List<Entry> entries) {
        MessageDigest sha256 = sha256();
        sha256.update(KEY_FORMAT.getBytes(StandardCharsets.UTF_8));
        for (Entry entry : entries) {
            sha256.update((entry.name() + "\0" + entry.size() + "\0" + entry.sha256() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A name as it can be shown in a message and a log line: control characters escaped, at most 200 characters. */
    static String printable(String name) {
        StringBuilder shown = new StringBuilder();
        name.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                shown.append(String.format("\\u%04x", c));
            } else {
                shown.appendCodePoint(c);
            }
        });
        return name.codePointCount(0, name.length()) > 200 ? shown + "..." : shown.toString();
    }
}
