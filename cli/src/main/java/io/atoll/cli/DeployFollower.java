package io.atoll.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Follows a deploy to its end through its server-sent events
 * ({@code GET /api/v1/apps/{app}/deploys/{id}/events}: the event named after the step's kind, its
 * id the step's sequence, its data {@code {id, at, kind, message}}), printing one line per step. A
 * stream that breaks is resumed after the last step seen ({@code Last-Event-ID}); when it ends, the
 * deploy itself says whether it finished and how.
 */
final class DeployFollower {

    /** The statuses a deploy ends in (DeployStatus.finished() in platform-api). */
    private static final Set<String> FINISHED = Set.of("SUCCEEDED", "ROLLED_BACK", "FAILED");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final ApiClient api;
    private final PrintWriter out;
    private final boolean quiet;

    /** @param quiet print nothing (for {@code --json}, whose stdout is the final deploy alone) */
    DeployFollower(ApiClient api, PrintWriter out, boolean quiet) {
        this.api = api;
        this.out = out;
        this.quiet = quiet;
    }

    /**
     * Prints the deploy's steps until it finishes, then a last line saying how it ended.
     *
     * @return the finished deploy as the API answers {@code GET .../deploys/{id}}
     */
    ApiClient.Response follow(String app, String id) {
        String path = "/api/v1/apps/" + ApiUrl.segment(app) + "/deploys/" + ApiUrl.segment(id);
        long[] last = {0};
        int failures = 0;
        while (true) {
            try (InputStream events = api.stream(path + "/events", "text/event-stream",
                    last[0] > 0 ? Map.of("Last-Event-ID", Long.toString(last[0])) : Map.of())) {
                ServerSentEvents.read(events, event -> {
                    step(event);
                    try {
                        last[0] = Math.max(last[0], Long.parseLong(event.id()));
                    } catch (NumberFormatException e) {
                        // an event without a sequence: resume from the one before
                    }
                    return true;
                });
            } catch (IOException e) {
                if (++failures > Retries.MAX) {
                    throw api.lost(e);
                }
            } catch (CliException e) {
                if (e.exitCode() != ExitCodes.CANNOT_CONNECT || ++failures > Retries.MAX) {
                    throw e;
                }
            }
            ApiClient.Response now;
            try {
                now = api.get(path);
            } catch (CliException e) {
                if (e.exitCode() != ExitCodes.CANNOT_CONNECT || ++failures > Retries.MAX) {
                    throw e;
                }
                Retries.pause(failures);
                continue;
            }
            JsonNode deploy = now.json();
            if (FINISHED.contains(Json.text(deploy, "status"))) {
                end(app, deploy);
                return now;
            }
            // The stream ended before the deploy (a proxy's timeout, the server's 30 minutes): resume.
            Retries.pause(failures);
        }
    }

    private void step(ServerSentEvents.Event event) {
        if (quiet) {
            return;
        }
        JsonNode step;
        try {
            step = Json.parse(event.data());
        } catch (CliException e) {
            return;
        }
        String kind = Json.text(step, "kind") != null ? Json.text(step, "kind") : event.name();
        String line = String.format(Locale.ROOT, "  %s  %-12s  %s", clock(Json.text(step, "at")), Terminal.printable(kind),
                Terminal.printable(Json.text(step, "message")));
        out.println(line.stripTrailing());
        out.flush();
    }

    private void end(String app, JsonNode deploy) {
        if (quiet) {
            return;
        }
        String status = Json.text(deploy, "status");
        String took = took(Json.text(deploy, "createdAt"), Json.text(deploy, "finishedAt"));
        if ("SUCCEEDED".equals(status)) {
            out.println(Terminal.printable(app) + " " + Json.cell(deploy, "release") + " is live with "
                    + Json.cell(deploy, "instances") + " instance(s): deploy " + Json.cell(deploy, "id") + " succeeded"
                    + took + ".");
        } else {
            String serving = "ROLLED_BACK".equals(status) && Json.text(deploy, "fromRelease") != null
                    ? "; " + Json.cell(deploy, "fromRelease") + " serves as before" : "";
            out.println(Terminal.printable(app) + ": deploy " + Json.cell(deploy, "id") + " " + status + took + serving
                    + ".");
        }
        out.flush();
    }

    /** @throws CliException with {@link ExitCodes#DEPLOY_FAILED} when the deploy ended other than SUCCEEDED */
    static void requireSucceeded(String app, JsonNode deploy) {
        String status = Json.text(deploy, "status");
        if (!"SUCCEEDED".equals(status)) {
            String reason = Json.text(deploy, "reason");
            throw new CliException(ExitCodes.DEPLOY_FAILED, "deploy " + Json.cell(deploy, "id") + " of "
                    + Terminal.printable(app) + " ended " + status + (reason == null ? "" : ": " + Terminal.printable(reason)),
                    "atoll logs --app " + Terminal.printable(app) + " shows what the instances wrote");
        }
    }

    /**
     * What {@code deploy}, {@code rollback} and {@code config set} do once their deploy started:
     * follow it, print it with {@code --json}, and fail with exit code 7 unless it succeeded.
     */
    static int followToEnd(ApiCommand command, String app, String id) {
        ApiClient.Response done = new DeployFollower(command.api(), command.out(), command.json()).follow(app, id);
        if (command.json()) {
            command.printJson(done.body());
        }
        requireSucceeded(app, done.json());
        return ExitCodes.OK;
    }

    private static String clock(String at) {
        try {
            return LocalTime.ofInstant(Instant.parse(at), ZoneId.systemDefault()).format(CLOCK);
        } catch (DateTimeParseException | NullPointerException e) {
            return "--:--:--";
        }
    }

    private static String took(String from, String to) {
        try {
            long millis = Duration.between(Instant.parse(from), Instant.parse(to)).toMillis();
            return String.format(Locale.ROOT, " in %.1f s", millis / 1000.0);
        } catch (DateTimeParseException | NullPointerException e) {
            return "";
        }
    }

    /** The id of a deploy in an answer that is one ({@code POST deploys}) or holds one ({@code rollback}, {@code config}). */
    static String idOf(JsonNode answer) {
        JsonNode deploy = answer.has("deploy") ? answer.get("deploy") : answer;
        return Json.text(deploy, "id");
    }
}
