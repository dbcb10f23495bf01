package io.atoll.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "maintenance", description = {
        "Takes a node out of service (on) or puts it back (off).",
        "On: no new instance goes there, and its instances are replaced elsewhere first, then drained.",
        "Example: atoll maintenance node-2 on"})
final class MaintenanceCommand extends ApiCommand {

    enum Switch { on, off }

    @Parameters(index = "0", paramLabel = "NODE", description = "the node's id, as atoll nodes lists it")
    String node;

    @Parameters(index = "1", paramLabel = "on|off", description = "on or off")
    Switch state;

    @Override
    public Integer call() {
        ApiClient.Response response = api().send("PUT", "/api/v1/nodes/" + ApiUrl.segment(node) + "/maintenance",
                Json.object().put("enabled", state == Switch.on));
        if (json()) {
            printJson(response.body());
        } else if (state == Switch.on) {
            say("Node " + Terminal.printable(node) + " is in maintenance: its instances are replaced elsewhere, then drained.");
        } else {
            say("Node " + Terminal.printable(node) + " is back in service.");
        }
        return ExitCodes.OK;
    }
}
