package io.atoll.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "apps", description = {"Lists the apps; creates and deletes them.", "Example: atoll apps"},
        subcommands = {AppsCommand.Create.class, AppsCommand.Delete.class})
final class AppsCommand extends ApiCommand {

    @Override
    public Integer call() {
        ApiClient.Response response = api().get("/api/v1/apps");
        if (json()) {
            printJson(response.body());
            return ExitCodes.OK;
        }
        JsonNode apps = response.json();
        if (apps.isEmpty()) {
            say("No apps yet: atoll apps create NAME");
            return ExitCodes.OK;
        }
        boolean teams = apps.values().stream().anyMatch(app -> Json.text(app, "team") != null);
        Table table = teams ? new Table("NAME", "TEAM", "RELEASE", "INSTANCES", "IMAGE")
                : new Table("NAME", "RELEASE", "INSTANCES", "IMAGE");
        for (JsonNode app : apps.values()) {
            String name = Json.text(app, "name") + (app.path("deleting").asBoolean(false) ? " (deleting)" : "");
            JsonNode release = app.get("release");
            String version = Json.text(release, "version");
            String instances = Json.text(app, "instances");
            String image = Json.text(release, "image");
            table = teams ? table.row(name, Json.text(app, "team"), version, instances, image)
                    : table.row(name, version, instances, image);
        }
        table.print(out());
        return ExitCodes.OK;
    }

    @Command(name = "create", description = {"Creates an app; it answers at NAME.<the platform's domain>.",
            "Example: atoll apps create hello --team web --health-path /healthz"})
    static final class Create extends ApiCommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "2-40 of a-z, 0-9 and -, starting with a letter")
        String name;

        @Option(names = "--team", paramLabel = "TEAM", description = "the team that owns it (default: the API's choice)")
        String team;

        @Option(names = "--health-path", paramLabel = "PATH", description = "checked before an instance gets traffic (default /healthz)")
        String healthPath;

        @Option(names = "--port", paramLabel = "PORT", description = "the port the app listens on in its container (default 8080)")
        Integer port;

        @Option(names = "--host", paramLabel = "HOST", description = "another host name it answers to (repeatable)")
        List<String> hosts;

        @Override
        public Integer call() {
            ObjectNode body = Json.object().put("name", name);
            if (team != null) {
                body.put("team", team);
            }
            if (healthPath != null) {
                body.put("healthPath", healthPath);
            }
            if (port != null) {
                body.put("containerPort", port);
            }
            if (hosts != null) {
                hosts.forEach(body.putArray("hosts")::add);
            }
            ApiClient.Response response = api().send("POST", "/api/v1/apps", body);
            if (json()) {
                printJson(response.body());
            } else {
                say("Created app " + Terminal.printable(name) + ". Deploy to it: atoll deploy IMAGE --app "
                        + Terminal.printable(name));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", description = {
            "Deletes an app: its instances drain and stop, then its route, releases and config are gone.",
            "Example: atoll apps delete hello --confirm hello"})
    static final class Delete extends ApiCommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "the app to delete")
        String name;

        @Option(names = "--confirm", paramLabel = "NAME", description = "the app's name again, instead of typing it when asked")
        String confirm;

        @Override
        public Integer call() {
            String typed = confirm;
            if (typed == null) {
                if (terminal().console() == null) {
                    throw new CliException(ExitCodes.USAGE, "deleting an app needs --confirm " + Terminal.printable(name)
                            + " when there is no terminal to ask on");
                }
                typed = terminal().console().readLine("This deletes %s and everything it runs. Type its name to go on: ",
                        Terminal.printable(name));
            }
            if (typed == null || !typed.strip().equals(name)) {
                throw new CliException(ExitCodes.USAGE, "not deleted: the name typed is not " + Terminal.printable(name));
            }
            ApiClient.Response response = api().send("DELETE", "/api/v1/apps/" + ApiUrl.segment(name), null);
            if (json()) {
                printJson(response.body());
            } else {
                say("Deleting " + Terminal.printable(name) + ": its instances drain and stop, then it is gone.");
            }
            return ExitCodes.OK;
        }
    }
}
