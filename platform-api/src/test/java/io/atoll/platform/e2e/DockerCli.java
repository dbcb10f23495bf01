package io.atoll.platform.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real docker CLI, as a user would type it. Fails loudly when the engine is not there. */
final class DockerCli {

    private DockerCli() {
    }

    /** A private client configuration (logins), so a test never touches the user's ~/.docker. */
    static volatile Path configDir;

    static String run(String... args) throws IOException, InterruptedException {
        return runWithInput(null, args);
    }

    static String runWithInput(String input, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("docker");
        command.addAll(Arrays.asList(args));
        return exec(command, input);
    }

    static String exec(List<String> command) throws IOException, InterruptedException {
        return exec(command, null);
    }

    private static String exec(List<String> command, String input) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (configDir != null) {
            builder.environment().put("DOCKER_CONFIG", configDir.toString());
        }
        // the legacy builder uses local base images without asking a registry
        builder.environment().put("DOCKER_BUILDKIT", "0");
        Process process = builder.start();
        try (var stdin = process.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " timed out");
        }
        String text = new String(output, StandardCharsets.UTF_8).trim();
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + text);
        }
        return text;
    }

    static List<String> lines(String... args) throws IOException, InterruptedException {
        String out = run(args);
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
}
