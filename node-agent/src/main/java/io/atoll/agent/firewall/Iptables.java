package io.atoll.agent.firewall;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The iptables commands, run as processes: the kernel's rule tables have no interface a Java
 * library keeps up with, and Docker itself drives them the same way. {@code -w} waits for the
 * xtables lock that Docker holds while it writes its own rules.
 */
public class Iptables {

    private static final long TIMEOUT_SECONDS = 30;

    private final String iptables;
    private final String restore;

    public Iptables(String iptables) {
        this.iptables = iptables;
        Path path = Path.of(iptables);
        String name = path.getFileName() + "-restore";
        this.restore = path.getParent() == null ? name : path.resolveSibling(name).toString();
    }

    /** {@code iptables -S} of the filter table. */
    public String list() throws IOException {
        return run(List.of(iptables, "-w", "5", "-t", "filter", "-S"), null);
    }

    /** Applies an {@code iptables-restore --noflush} input in one transaction. */
    public void restore(String input) throws IOException {
        run(List.of(restore, "-w", "5", "--noflush"), input);
    }

    private static String run(List<String> command, String stdin) throws IOException {
        // stderr apart: iptables-nft warns there (e.g. "iptables-legacy tables present"), and a
        // warning among the listed rules would make them differ from the wanted ones every pass.
        Path errors = Files.createTempFile("atoll-iptables", ".err");
        try {
            Process process = new ProcessBuilder(new ArrayList<>(command))
                    .redirectError(ProcessBuilder.Redirect.to(errors.toFile())).start();
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.US_ASCII));
                }
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS
                            + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
                        + (Files.readString(errors, StandardCharsets.UTF_8) + output).strip());
            }
            return output;
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
