package io.atoll.cli;

import io.atoll.json.JsonCodec;
import io.atoll.model.LogLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The app's lines from every node, read as NDJSON ({@link LogLine}s) whatever the output: for
 * people each becomes {@code <time> <instance> <stream> <line>} ({@link LogLine#toText()}, control
 * characters made harmless), with {@code --json} the lines pass as they came. A followed stream the server ends
 * (its {@code max-follow}) or that breaks is opened again from the last line's time.
 */
@Command(name = "logs", description = {
        "Prints the app's lines (stdout, stderr, and Atoll's notices) from every instance.",
        "Example: atoll logs --app hello -f --since 10m"})
final class LogsCommand extends ApiCommand {

    @Mixin
    AppOption app;

    @Option(names = {"-f", "--follow"}, description = "keep printing new lines until Ctrl-C")
    boolean follow;

    @Option(names = "--since", paramLabel = "WHEN", description = "leave out lines before: 90s, 10m, 2h, 1d, or a time like 2026-11-30T13:05:00Z")
    String since;

    @Option(names = "--tail", paramLabel = "N", description = "lines per instance to start with (the API's default: 100)")
    Integer tail;

    @Option(names = "--instance", paramLabel = "ID", description = "one instance only")
    String instance;

    /** The time of the last line printed, and the lines printed at that time (a resume repeats them). */
    private Instant lastTime;
    private final java.util.Set<String> atLastTime = new HashSet<>();

    @Override
    public Integer call() {
        String name = app.require(terminal());
        int failures = 0;
        boolean first = true;
        while (true) {
            try (InputStream lines = api().stream(path(name, first), "application/x-ndjson", Map.of())) {
                print(lines);
                failures = 0;
            } catch (IOException e) {
                if (!follow || ++failures > Retries.MAX) {
                    throw api().lost(e);
                }
            } catch (CliException e) {
                if (!follow || e.exitCode() != ExitCodes.CANNOT_CONNECT || first || ++failures > Retries.MAX) {
                    throw e;
                }
            }
            if (!follow) {
                return ExitCodes.OK;
            }
            first = false;
            Retries.pause(failures);
        }
    }

    private String path(String name, boolean first) {
        StringBuilder query = new StringBuilder("/api/v1/apps/").append(ApiUrl.segment(name)).append("/logs?follow=")
                .append(follow);
        if (instance != null) {
            query.append("&instance=").append(ApiUrl.query(instance));
        }
        if (first || lastTime == null) {
            if (tail != null) {
                query.append("&tail=").append(tail);
            }
            if (since != null) {
                query.append("&since=").append(ApiUrl.query(since));
            }
        } else {
            // Resuming: from the last line printed on (lines of that very instant come again, and are
            // skipped), up to the API's default tail per instance, as Docker takes the tail of what is since.
            query.append("&since=").append(ApiUrl.query(lastTime.toString()));
        }
        return query.toString();
    }

    private void print(InputStream stream) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
        String raw;
        while ((raw = reader.readLine()) != null) {
            if (raw.isBlank()) {
                continue; // the server's keep-alive
            }
            LogLine line;
            try {
                line = JsonCodec.shared().decode(raw.getBytes(StandardCharsets.UTF_8), LogLine.class);
            } catch (JsonCodec.InvalidValueException e) {
                continue;
            }
            if (fresh(line, raw)) {
                // The text form is the API's own (Accept: text/plain), control characters made harmless.
                out().println(json() ? raw : line.toText());
                out().flush();
            }
        }
    }

    /** False for a line already printed before a resume (same time, same content). */
    private boolean fresh(LogLine line, String raw) {
        Instant time = line.time();
        if (time == null) {
            return true;
        }
        if (lastTime == null || time.isAfter(lastTime)) {
            lastTime = time;
            atLastTime.clear();
            atLastTime.add(raw);
            return true;
        }
        if (time.equals(lastTime)) {
            return atLastTime.add(raw);
        }
        // Older than the last line: another node's, arriving later in the merge. A resume asks from the
        // last line's time on, so none of these comes twice.
        return true;
    }
}
