package io.atoll.cli;

import io.atoll.model.LogLine;
import java.io.Console;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Map;

/**
 * What the command reads and writes besides the network: the environment, standard input, the
 * console (null when there is no terminal, as in a script or a test), standard output and error.
 * One object, so that a test runs the command in-process with its own of each.
 */
record Terminal(Map<String, String> env, InputStream in, Console console, PrintWriter out, PrintWriter err) {

    static Terminal system() {
        Console console = System.console();
        Charset charset = console != null ? console.charset() : Charset.defaultCharset();
        return new Terminal(System.getenv(), System.in, console,
                new PrintWriter(new java.io.OutputStreamWriter(System.out, charset), true),
                new PrintWriter(new java.io.OutputStreamWriter(System.err, charset), true));
    }

    /** The variable, or null when it is unset or blank. */
    String variable(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * Text from the API as it may reach a terminal: every control character but tab (C0, DEL, C1)
     * becomes U+FFFD, so that nothing an app or a server writes moves the cursor, changes colours
     * or ends a line early; the same rule as the API's own text form of log lines.
     */
    static String printable(String text) {
        return LogLine.printable(text);
    }
}
