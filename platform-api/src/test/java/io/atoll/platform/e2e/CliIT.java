package io.atoll.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Issue 12 item 7 end to end: the real {@code cli/target/atoll.jar}, run as a process the way a
 * new user runs it against script/server's platform (dev profile, its embedded directory):
 * {@code atoll login} as alice of team web, {@code apps create}, {@code deploy} with its progress,
 * {@code logs -f} following a line written after it started, a deploy that crashes exiting 7,
 * {@code rollback}, a 403 on an app that is not the team's; the audit log then shows alice's
 * changes, and no token was ever printed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {

    static final String APP = "clidemo";
    static final Path JAR = Path.of("..").toAbsolutePath().normalize().resolve("cli/target/atoll.jar");

    static AtollPlatform platform;
    static Path config;
    static String url;
    /** Everything the command printed, to check no token ever appears in it. */
    static final List<String> printed = new java.util.concurrent.CopyOnWriteArrayList<>();

    record Run(int exit, String out, String err) {

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    @BeforeAll
    static void startPlatform() throws Exception {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the end-to-end tests run after `./mvnw package` "
                    + "has built every module (run `./mvnw verify` from the repository root)");
        }
        platform = AtollPlatform.start("cli", List.of("zone-a"), List.of(), List.of());
        url = "http://127.0.0.1:" + platform.apiPort;
        config = Files.createTempDirectory("atoll-cli-config");
        platform.loginAsCi();
        // The app of LogsIT: prints "started <instance>", then whatever is written into its FIFO /tmp/in.
        String app = "FROM atoll/busybox:local\nRUN echo " + LogsIT.APP_SCRIPT
                + " | base64 -d > /app.sh\nCMD [\"/bin/sh\", \"/app.sh\"]";
        platform.buildAndPush("hello:cli-v1", app);
        platform.buildAndPush("hello:cli-v2", app);
        platform.buildAndPush("hello:cli-crash", "FROM atoll/busybox:local\n"
                + "CMD [\"/bin/sh\", \"-c\", \"echo 'fatal: no database'; exit 3\"]");
    }

    @AfterAll
    static void stopPlatform() throws Exception {
        if (platform != null) {
            platform.close();
        }
        if (config != null) {
            try (var paths = Files.walk(config)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void loginKeepsAPrivateTokenAndCreatesAnAppOfTheTeam() throws Exception {
        Run login = atoll("alice-dev\n", "login", url, "--user", "alice", "--password-stdin");
        assertThat(login.exit()).as(login.toString()).isZero();
        assertThat(login.out()).startsWith("Logged in to " + url + " as alice");

        Path file = config.resolve("atoll/config.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(AtollPlatform.JSON.readTree(Files.readString(file)).path("token").asString()).startsWith("atoll_");

        Run wrong = atoll("not-her-password\n", "login", url, "--user", "alice", "--password-stdin");
        assertThat(wrong.exit()).as(wrong.toString()).isEqualTo(3);

        Run created = atoll("", "apps", "create", APP, "--team", "web");
        assertThat(created.exit()).as(created.toString()).isZero();
        Run apps = atoll("", "apps");
        assertThat(apps.out()).as(apps.toString()).startsWith("NAME").contains(APP + "  web ");
    }

    @Test
    @Order(2)
    void deployFollowsTheRolloutToItsEnd() throws Exception {
        Run first = atoll("", "deploy", "hello:cli-v1", "--app", APP, "--instances", "2");
        System.out.println("atoll deploy:\n" + first.out());
        assertThat(first.exit()).as(first.toString()).isZero();
        List<String> lines = first.out().lines().toList();
        assertThat(lines.get(0)).startsWith("Deploying hello:cli-v1 to " + APP + " (deploy ");
        assertThat(lines).anyMatch(line -> line.matches("  \\d\\d:\\d\\d:\\d\\d  release .*"))
                .anyMatch(line -> line.matches("  \\d\\d:\\d\\d:\\d\\d  succeeded .*"));
        assertThat(lines.get(lines.size() - 1)).startsWith(APP + " v1 is live with 2 instance(s)");

        Run second = atoll("", "deploy", "hello:cli-v2", "--app", APP);
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.out()).contains(APP + " v2 is live");
    }

    @Test
    @Order(3)
    void logsFollowALineWrittenAfterTheyStarted() throws Exception {
        Process logs = start("logs", "--app", APP, "-f");
        try {
            BlockingQueue<String> out = lines(logs);
            // The tail has the lines of v1's removed instances too, and one of them may still be on its way out when
            // the containers are listed: one of the newest release is wanted.
            Map<String, String> running = newestRelease(platform.containers());
            String instance = awaitLine(out, line -> running.keySet().stream()
                    .anyMatch(id -> line.endsWith(" " + id + " stdout started " + id)), Duration.ofSeconds(20)).split(" ")[1];
            String marker = "followed-" + UUID.randomUUID();
            String container = running.get(instance).split("\\|")[0];
            DockerCli.run("exec", container, "/bin/sh", "-c", "echo " + marker + " > /tmp/in");
            String line = awaitLine(out, l -> l.endsWith(" stdout " + marker), Duration.ofSeconds(10));
            System.out.println("atoll logs -f printed: " + line);
            assertThat(line.split(" ")[1]).isEqualTo(instance);
            assertThat(logs.isAlive()).as("still following").isTrue();
        } finally {
            logs.destroy();
            logs.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The instances of the newest release among {@code containers} (instance ids are {@code <app>-r<N>-<suffix>}). */
    private static Map<String, String> newestRelease(Map<String, String> containers) {
        Pattern release = Pattern.compile("^" + Pattern.quote(APP) + "-r(\\d+)-");
        int newest = containers.keySet().stream().map(release::matcher).filter(Matcher::find)
                .mapToInt(found -> Integer.parseInt(found.group(1))).max().orElseThrow();
        Map<String, String> found = new TreeMap<>(containers);
        found.keySet().removeIf(id -> !id.startsWith(APP + "-r" + newest + "-"));
        return found;
    }

    @Test
    @Order(4)
    void aDeployThatCrashesExits7AndTheOldReleaseServesOn() throws Exception {
        Run crash = atoll("", "deploy", "hello:cli-crash", "--app", APP);
        System.out.println("atoll deploy of a crashing image:\n" + crash);
        assertThat(crash.exit()).as(crash.toString()).isEqualTo(7);
        assertThat(crash.out()).contains(" rolled-back ").contains("ROLLED_BACK").contains("v2 serves as before");
        assertThat(crash.err()).startsWith("atoll: deploy ").contains(" ended ROLLED_BACK: ");
    }

    @Test
    @Order(5)
    void rollbackGoesToTheReleaseBeforeTheServingOne() throws Exception {
        Run rollback = atoll("", "rollback", "--app", APP);
        System.out.println("atoll rollback:\n" + rollback.out());
        assertThat(rollback.exit()).as(rollback.toString()).isZero();
        assertThat(rollback.out()).startsWith("Rolling " + APP + " back to v1 as v4 (deploy ");

        Run releases = atoll("", "releases", "--app", APP, "--json");
        assertThat(releases.exit()).isZero();
        JsonNode serving = null;
        for (JsonNode release : AtollPlatform.JSON.readTree(releases.out())) {
            if (release.path("serving").asBoolean()) {
                serving = release;
            }
        }
        assertThat(serving).isNotNull();
        assertThat(serving.path("version").asString()).isEqualTo("v4");
        assertThat(serving.path("image").asString()).isEqualTo("hello:cli-v1");
        assertThat(serving.path("author").asString()).isEqualTo("alice");
    }

    @Test
    @Order(6)
    void anAppOfNoTeamOfHersIsForbiddenWithExitCode4() throws Exception {
        // dev: a call without a token is an admin's, and an admin's app without a team is the admins' alone
        assertThat(platform.api("POST", "/api/v1/apps", "{\"name\":\"admins-only\"}").statusCode()).isEqualTo(201);

        Run config = atoll("", "config", "--app", "admins-only");

        assertThat(config.exit()).as(config.toString()).isEqualTo(4);
        assertThat(config.err()).endsWith("hint: you are not in the app's team\n");
        assertThat(config.out()).isEmpty();
    }

    @Test
    @Order(7)
    void theAuditLogHasAlicesChangesAndNoTokenWasPrinted() throws Exception {
        JsonNode events = platform.apiJson("/api/v1/audit?app=" + APP).path("events");
        List<String> alices = new ArrayList<>();
        events.forEach(event -> {
            if (event.path("actor").asString().equals("alice")) {
                alices.add(event.path("action").asString() + " " + event.path("outcome").asInt());
            }
        });
        System.out.println("audit of " + APP + ", alice's: " + alices);
        assertThat(alices).contains("POST /api/v1/apps 201", "POST /api/v1/apps/{app}/deploys 202",
                "POST /api/v1/apps/{app}/rollback 202");

        String token = AtollPlatform.JSON.readTree(Files.readString(config.resolve("atoll/config.json")))
                .path("token").asString();
        assertThat(String.join("\n", printed)).doesNotContain(token);
        assertThat(events.toString()).doesNotContain(token);

        Run logout = atoll("", "logout");
        assertThat(logout.exit()).as(logout.toString()).isZero();
        assertThat(Files.readString(config.resolve("atoll/config.json"))).doesNotContain(token);
        var revoked = AtollPlatform.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/api/v1/apps"))
                .header("Authorization", "Bearer " + token).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(revoked.statusCode()).as("the token logout revoked").isEqualTo(401);
    }

    // ---- running the jar --------------------------------------------------------------------

    private static ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("ATOLL_"));
        builder.environment().put("XDG_CONFIG_HOME", config.toString());
        return builder;
    }

    /** Runs one command to its end, {@code stdin} written to it first. */
    private static Run atoll(String stdin, String... args) throws Exception {
        Path out = Files.createTempFile(config, "out", ".txt");
        Path err = Files.createTempFile(config, "err", ".txt");
        Process process = command(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("atoll " + String.join(" ", args) + " did not end within 180 s");
        }
        Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        printed.add(run.out());
        printed.add(run.err());
        return run;
    }

    private static Process start(String... args) throws IOException {
        return command(args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static BlockingQueue<String> lines(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                    printed.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "atoll-logs-reader");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String awaitLine(BlockingQueue<String> lines, Predicate<String> wanted, Duration atMost)
            throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no such line within " + atMost);
            }
            if (wanted.test(line)) {
                return line;
            }
        }
    }
}
