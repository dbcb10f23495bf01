package io.atoll.build.source;

import io.atoll.build.BuildProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Uploaded tarballs, kept as sent under {@code <data-dir>/uploads} from the request that queued a
 * build until that build has run: a queued upload outlives a restart like any queued build. A
 * build refers to its upload as {@code upload:<id>}.
 */
@Component
public class Uploads {

    public static final String SCHEME = "upload:";
    private static final Pattern ID = Pattern.compile("[0-9a-f-]{36}");

    private final Path directory;
    private final long maxUploadBytes;

    public Uploads(BuildProperties build, SourceProperties sources) {
        this.directory = Path.of(build.dataDir(), "uploads");
        this.maxUploadBytes = sources.upload().maxUploadBytes();
    }

    /**
     * Stores the body as it comes; over {@code atoll.build.upload.max-upload-bytes} it is refused
     * (413) without keeping anything.
     *
     * @return the upload's reference, {@code upload:<id>}
     */
    public String store(InputStream body) throws IOException, SourceException {
        Files.createDirectories(directory);
        String id = UUID.randomUUID().toString();
        Path partial = directory.resolve(id + ".part");
        try {
            long total = 0;
            try (OutputStream out = Files.newOutputStream(partial)) {
                byte[] buffer = new byte[64 * 1024];
                int read;
                while ((read = body.read(buffer)) != -1) {
                    total += read;
                    if (total > maxUploadBytes) {
                        throw SourceException.tooLarge("the upload is larger than " + maxUploadBytes
                                + " bytes (atoll.build.upload.max-upload-bytes)");
                    }
                    out.write(buffer, 0, read);
                }
            }
            Files.move(partial, file(id), StandardCopyOption.ATOMIC_MOVE);
            return SCHEME + id;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    public InputStream open(String reference) throws IOException {
        return Files.newInputStream(file(id(reference)));
    }

    public void delete(String reference) {
        try {
            Files.deleteIfExists(file(id(reference)));
        } catch (IOException | IllegalArgumentException e) {
            // what cannot be deleted now is only disk space
        }
    }

    private static String id(String reference) {
        String id = reference.startsWith(SCHEME) ? reference.substring(SCHEME.length()) : "";
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not an upload reference");
        }
        return id;
    }

    private Path file(String id) {
        return directory.resolve(id + ".tar.gz");
    }
}
