package io.atoll.cli;

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
     * or ends a line early.
     */
    static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f);
            if (control && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(control ? '\uFFFD' : c);
            }
        }
        return out == null ? text : out.toString();
    }
}
