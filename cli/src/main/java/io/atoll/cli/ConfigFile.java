package io.atoll.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code $XDG_CONFIG_HOME/atoll/config.json} (default {@code ~/.config/atoll/config.json}): the
 * URL logged in to, the user, and the token with its id (to revoke it at logout). The token is a
 * secret: the directory is made {@code 700} and the file {@code 600} as they are created, and a
 * new version is written to a private temporary file and moved over the old one, so there is no
 * moment at which another user could read it, nor a half-written file after a crash.
 */
final class ConfigFile {

    /** What the file holds; any field may be null. */
    record Stored(String url, String user, String token, String tokenId) {

        static final Stored EMPTY = new Stored(null, null, null, null);

        Stored withoutToken() {
            return new Stored(url, user, null, null);
        }
    }

    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path file;

    ConfigFile(Path file) {
        this.file = file;
    }

    /** The file the XDG Base Directory spec names (a relative XDG_CONFIG_HOME is ignored, as it says). */
    static ConfigFile locate(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base;
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            base = Path.of(xdg);
        } else {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            base = Path.of(home, ".config");
        }
        return new ConfigFile(base.resolve("atoll").resolve("config.json"));
    }

    Path path() {
        return file;
    }

    Stored load() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Stored.EMPTY;
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot read " + file + ": " + e.getMessage());
        }
        JsonNode json;
        try {
            json = Json.parse(text);
        } catch (CliException e) {
            throw new CliException(ExitCodes.ERROR, file + " is not valid JSON", "remove it and run atoll login");
        }
        if (!json.isObject()) {
            throw new CliException(ExitCodes.ERROR, file + " is not a JSON object", "remove it and run atoll login");
        }
        return new Stored(Json.text(json, "url"), Json.text(json, "user"), Json.text(json, "token"),
                Json.text(json, "tokenId"));
    }

    void save(Stored stored) {
        ObjectNode json = Json.object();
        putIfSet(json, "url", stored.url());
        putIfSet(json, "user", stored.user());
        putIfSet(json, "tokenId", stored.tokenId());
        putIfSet(json, "token", stored.token());
        Path dir = file.getParent();
        Path temporary = null;
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
            // A directory made earlier by hand or by another tool may be open to others: it holds a secret now.
            if (!Files.getPosixFilePermissions(dir).equals(PRIVATE_DIR)) {
                Files.setPosixFilePermissions(dir, PRIVATE_DIR);
            }
            temporary = Files.createTempFile(dir, ".config", ".tmp", PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
            Files.writeString(temporary, Json.write(json) + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            temporary = null;
        } catch (UnsupportedOperationException e) {
            throw new CliException(ExitCodes.ERROR, "cannot keep the token private in " + dir
                    + ": its file system has no POSIX permissions", "set XDG_CONFIG_HOME to a directory on one that has");
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot write " + file + ": " + e.getMessage());
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException e) {
                    // the error that brought us here is the one to report
                }
            }
        }
    }

    private static void putIfSet(ObjectNode json, String field, String value) {
        if (value != null) {
            json.put(field, value);
        }
    }
}
