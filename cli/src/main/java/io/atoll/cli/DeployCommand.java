package io.atoll.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "deploy", description = {
        "Deploys an image and follows its rollout, one line per step.",
        "The image becomes the app's next release; exits 7 when the deploy ends FAILED or ROLLED_BACK.",
        "Example: atoll deploy hello:v2 --app hello --instances 3"})
final class DeployCommand extends ApiCommand {

    @Parameters(index = "0", paramLabel = "IMAGE",
            description = "repo:tag or repo@sha256:..., a bare name from Atoll's registry")
    String image;

    @Mixin
    AppOption app;

    @Option(names = "--instances", paramLabel = "N", description = "how many instances (default: as many as now, or 1)")
    Integer instances;

    @Option(names = "--memory", paramLabel = "MB", description = "memory per instance, in MB")
    Long memoryMb;

    @Mixin
    WaitOption wait;

    @Override
    public Integer call() {
        String name = app.require(terminal());
        ObjectNode body = Json.object().put("image", image);
        if (instances != null) {
            body.put("instances", instances);
        }
        if (memoryMb != null) {
            body.put("memoryMb", memoryMb);
        }
        ApiClient.Response started = api().send("POST", "/api/v1/apps/" + ApiUrl.segment(name) + "/deploys", body);
        JsonNode deploy = started.json();
        String id = DeployFollower.idOf(deploy);
        if (wait.noWait) {
            if (json()) {
                printJson(started.body());
            } else {
                say("Deploy " + Json.cell(deploy, "id") + " of " + Terminal.printable(image) + " to "
                        + Terminal.printable(name) + " started.");
            }
            return ExitCodes.OK;
        }
        say("Deploying " + Terminal.printable(image) + " to " + Terminal.printable(name) + " (deploy "
                + Json.cell(deploy, "id") + ")");
        return DeployFollower.followToEnd(this, name, id);
    }
}
