package io.atoll.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs {@code atoll} in this JVM as a user would run it, with an environment of its own (its
 * config directory under the test's), no terminal, and stdin, stdout and stderr captured.
 */
final class Cli {

    /** What a run printed and how it ended. */
    record Result(int exitCode, String out, String err) {

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Map<String, String> env = new HashMap<>();

    Cli(Path home) {
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    }

    Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Path configFile() {
        return Path.of(env.get("XDG_CONFIG_HOME"), "atoll", "config.json");
    }

    Result run(String... args) {
        return withInput("", args);
    }

    Result withInput(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Terminal terminal = new Terminal(Map.copyOf(env), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                null, new PrintWriter(out, true), new PrintWriter(err, true));
        int code = Atoll.run(args, terminal);
        return new Result(code, out.toString(), err.toString());
    }
}
