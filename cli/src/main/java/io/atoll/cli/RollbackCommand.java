package io.atoll.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

@Command(name = "rollback", description = {
        "Makes a new release with the image and config of an earlier one, and follows its rollout.",
        "Without RELEASE, the release before the one serving.",
        "Example: atoll rollback --app hello v2"})
final class RollbackCommand extends ApiCommand {

    @Mixin
    AppOption app;

    @Parameters(index = "0", arity = "0..1", paramLabel = "RELEASE", description = "v2, or 2")
    String release;

    @Mixin
    WaitOption wait;

    @Override
    public Integer call() {
        String name = app.require(terminal());
        String target = release != null ? release : previous(name);
        ApiClient.Response started = api().send("POST", "/api/v1/apps/" + ApiUrl.segment(name) + "/rollback",
                Json.object().put("release", target));
        JsonNode answer = started.json();
        String id = DeployFollower.idOf(answer);
        if (wait.noWait && json()) {
            printJson(started.body());
            return ExitCodes.OK;
        }
        say("Rolling " + Terminal.printable(name) + " back to " + Terminal.printable(target) + " as "
                + Json.cell(answer.get("release"), "version") + " (deploy " + Json.cell(answer.get("deploy"), "id") + ")");
        return wait.noWait ? ExitCodes.OK : DeployFollower.followToEnd(this, name, id);
    }

    /** The newest release older than the serving one that has an image to run. */
    private String previous(String name) {
        JsonNode releases = api().get("/api/v1/apps/" + ApiUrl.segment(name) + "/releases").json();
        int serving = -1;
        for (JsonNode release : releases.values()) {
            if (release.path("serving").asBoolean(false)) {
                serving = release.path("number").asInt(-1);
            }
        }
        if (serving < 0) {
            throw new CliException(ExitCodes.CONFLICT, Terminal.printable(name) + " serves no release: nothing to roll back from");
        }
        JsonNode best = null;
        for (JsonNode release : releases.values()) {
            int number = release.path("number").asInt(-1);
            String image = Json.text(release, "pinnedImage");
            if (number < serving && image != null && !image.isEmpty()
                    && (best == null || number > best.path("number").asInt())) {
                best = release;
            }
        }
        if (best == null) {
            throw new CliException(ExitCodes.CONFLICT, "no release of " + Terminal.printable(name)
                    + " before the one serving has an image to roll back to");
        }
        return Json.text(best, "version");
    }
}
