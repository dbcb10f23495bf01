package io.atoll.cli;

import picocli.CommandLine.Command;
import tools.jackson.databind.JsonNode;

@Command(name = "nodes", description = {"Lists the live nodes: zone, address, what runs there, maintenance.",
        "Example: atoll nodes"})
final class NodesCommand extends ApiCommand {

    @Override
    public Integer call() {
        ApiClient.Response response = api().get("/api/v1/nodes");
        if (json()) {
            printJson(response.body());
            return ExitCodes.OK;
        }
        JsonNode nodes = response.json();
        if (nodes.isEmpty()) {
            say("No live nodes: no node agent is registered.");
            return ExitCodes.OK;
        }
        Table table = new Table("NODE", "ZONE", "HOST", "MEMORY MB", "CONTAINERS", "MAINTENANCE", "AGENT");
        for (JsonNode view : nodes.values()) {
            JsonNode node = view.path("node");
            JsonNode capacity = node.path("capacity");
            JsonNode usage = node.path("usage");
            table.row(Json.text(node, "nodeId"), Json.text(node, "zone"), Json.text(node, "advertisedHost"),
                    usage.path("memoryMb").asLong(0) + "/" + capacity.path("memoryMb").asLong(0),
                    usage.path("containers").asLong(0) + "/" + capacity.path("containers").asLong(0),
                    view.path("maintenance").asBoolean(false) ? "on" : "off", Json.text(node, "agentVersion"));
        }
        table.print(out());
        return ExitCodes.OK;
    }
}
