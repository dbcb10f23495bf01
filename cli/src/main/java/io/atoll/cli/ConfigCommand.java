package io.atoll.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "config", description = {
        "Shows the app's config vars; secret values as the API shows them (********).",
        "Example: atoll config --app hello"},
        subcommands = {ConfigCommand.Set.class, ConfigCommand.Unset.class})
final class ConfigCommand extends ApiCommand {

    @Mixin
    AppOption app;

    @Override
    public Integer call() {
        String name = app.require(terminal());
        ApiClient.Response response = api().get(path(name));
        if (json()) {
            printJson(response.body());
            return ExitCodes.OK;
        }
        JsonNode vars = response.json();
        if (vars.isEmpty()) {
            say("No config vars for " + Terminal.printable(name) + ".");
            return ExitCodes.OK;
        }
        Table table = new Table("NAME", "VALUE", "SECRET");
        for (Map.Entry<String, JsonNode> var : vars.properties()) {
            JsonNode value = var.getValue();
            boolean secret = value.path("secret").asBoolean(false);
            table.row(var.getKey(), value.isObject() ? Json.text(value, "value") : value.asString(), secret ? "yes" : "no");
        }
        table.print(out());
        return ExitCodes.OK;
    }

    static String path(String app) {
        return "/api/v1/apps/" + ApiUrl.segment(app) + "/config";
    }

    /** A change is a new release, rolled out like a deploy once the app runs an image: followed the same way. */
    static int change(ApiCommand command, String app, ObjectNode patch, String done, boolean noWait) {
        ApiClient.Response response = command.api().send("PATCH", path(app), patch);
        JsonNode answer = response.json();
        String release = Json.cell(answer.get("release"), "version");
        if (!answer.has("deploy")) {
            if (command.json()) {
                command.printJson(response.body());
            }
            command.say(done + ": " + release + ". Nothing runs yet; the next deploy takes it.");
            return ExitCodes.OK;
        }
        if (noWait) {
            if (command.json()) {
                command.printJson(response.body());
            }
            command.say(done + ": " + release + ", rolling out (deploy " + Json.cell(answer.get("deploy"), "id") + ").");
            return ExitCodes.OK;
        }
        command.say(done + ": " + release + " (deploy " + Json.cell(answer.get("deploy"), "id") + ")");
        return DeployFollower.followToEnd(command, app, DeployFollower.idOf(answer));
    }

    @Command(name = "set", description = {
            "Sets config vars: a new release, rolled out to the instances.",
            "A value given here is visible to this machine's other users in its process list; --secret only "
                    + "hides it in the API's answers.",
            "Example: atoll config set --app hello GREETING=hi DB_PASSWORD=s3cret --secret"})
    static final class Set extends ApiCommand {

        @Mixin
        AppOption app;

        @Parameters(arity = "1..*", paramLabel = "NAME=VALUE", description = "the vars to set")
        List<String> assignments;

        @Option(names = "--secret", description = "these values are secret: shown as ******** everywhere but the instances")
        boolean secret;

        @Mixin
        WaitOption wait;

        @Override
        public Integer call() {
            String name = app.require(terminal());
            ObjectNode patch = Json.object();
            for (String assignment : assignments) {
                int equals = assignment.indexOf('=');
                if (equals <= 0) {
                    throw new CliException(ExitCodes.USAGE, "not NAME=VALUE: " + Terminal.printable(
                            equals < 0 ? assignment : "=..."));
                }
                String var = assignment.substring(0, equals);
                String value = assignment.substring(equals + 1);
                if (secret) {
                    patch.putObject(var).put("value", value).put("secret", true);
                } else {
                    patch.put(var, value);
                }
            }
            return change(this, name, patch, "Set " + String.join(", ", patch.propertyNames()), wait.noWait);
        }
    }

    @Command(name = "unset", description = {"Removes config vars: a new release, rolled out to the instances.",
            "Example: atoll config unset --app hello GREETING"})
    static final class Unset extends ApiCommand {

        @Mixin
        AppOption app;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "the vars to remove")
        List<String> names;

        @Mixin
        WaitOption wait;

        @Override
        public Integer call() {
            String name = app.require(terminal());
            ObjectNode patch = Json.object();
            names.forEach(patch::putNull);
            return change(this, name, patch, "Unset " + String.join(", ", names), wait.noWait);
        }
    }
}
