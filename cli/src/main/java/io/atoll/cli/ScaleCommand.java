package io.atoll.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

@Command(name = "scale", description = {
        "Runs N instances of the serving release (a new release of the same spec; nothing restarts).",
        "Example: atoll scale --app hello 3"})
final class ScaleCommand extends ApiCommand {

    @Mixin
    AppOption app;

    @Parameters(index = "0", paramLabel = "N", description = "how many instances, 0 to 1000")
    int instances;

    @Override
    public Integer call() {
        String name = app.require(terminal());
        ApiClient.Response response = api().send("POST", "/api/v1/apps/" + ApiUrl.segment(name) + "/scale",
                Json.object().put("instances", instances));
        if (json()) {
            printJson(response.body());
        } else {
            JsonNode answer = response.json();
            say("Scaling " + Terminal.printable(name) + " to " + Json.cell(answer, "instances") + " instance(s) as "
                    + Json.cell(answer, "release") + ".");
        }
        return ExitCodes.OK;
    }
}
