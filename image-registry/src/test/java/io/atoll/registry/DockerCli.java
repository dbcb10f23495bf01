package io.atoll.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real docker CLI, optionally with its own {@code DOCKER_CONFIG} directory so that
 * {@code docker login} in a test never touches the user's ~/.docker/config.json.
 */
public final class DockerCli {

    public record Result(int exit, String output) {
    }

    private final Map<String, String> env;

    public DockerCli() {
        this.env = Map.of();
    }

    public DockerCli(Path dockerConfig) {
        this.env = Map.of("DOCKER_CONFIG", dockerConfig.toString());
    }

    /** Fails the test (never skips) when no engine answers. */
    public static void requireEngine() {
        Result version = new DockerCli().run(null, "docker", "version", "--format", "{{.Server.Version}}");
        assertThat(version.exit()).as("a Docker engine must be running for this test: %s", version.output()).isZero();
    }

    /** Runs docker and asserts it succeeded. */
    public String docker(String... args) {
        Result result = tryDocker(args);
        assertThat(result.exit()).as("docker %s: %s", List.of(args), result.output()).isZero();
        return result.output();
    }

    public Result tryDocker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return run(null, command.toArray(String[]::new));
    }

    /** Runs docker with {@code stdin} as its standard input (for --password-stdin). */
    public Result dockerWithInput(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return run(stdin, command.toArray(String[]::new));
    }

    public Result run(String stdin, String... command) {
        return run(stdin, Map.of(), command);
    }

    public Result run(String stdin, Map<String, String> extraEnv, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            builder.environment().putAll(extraEnv);
            Process process = builder.start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out: " + new String(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, command[0] + " could not be started: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
