package io.atoll.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import tools.jackson.databind.JsonNode;

@Command(name = "releases", description = {
        "Lists the app's releases, newest first; * marks the one serving.", "Example: atoll releases --app hello"})
final class ReleasesCommand extends ApiCommand {

    @Mixin
    AppOption app;

    @Override
    public Integer call() {
        String name = app.require(terminal());
        ApiClient.Response response = api().get("/api/v1/apps/" + ApiUrl.segment(name) + "/releases");
        if (json()) {
            printJson(response.body());
            return ExitCodes.OK;
        }
        JsonNode releases = response.json();
        if (releases.isEmpty()) {
            say("No releases of " + Terminal.printable(name) + " yet: atoll deploy IMAGE --app " + Terminal.printable(name));
            return ExitCodes.OK;
        }
        Table table = new Table("VERSION", "SERVING", "CAUSE", "DETAIL", "IMAGE", "AUTHOR", "CREATED");
        for (JsonNode release : releases.values()) {
            table.row(Json.text(release, "version"), release.path("serving").asBoolean(false) ? "*" : "",
                    Json.text(release, "cause"), Json.text(release, "causeDetail"), Json.text(release, "image"),
                    Json.text(release, "author"), Times.shown(Json.text(release, "createdAt")));
        }
        table.print(out());
        return ExitCodes.OK;
    }
}
