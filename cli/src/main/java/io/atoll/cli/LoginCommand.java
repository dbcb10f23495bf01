package io.atoll.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "login", description = {
        "Logs in: trades your username and password for a personal API token.",
        "The token is kept in $XDG_CONFIG_HOME/atoll/config.json (~/.config/atoll/), mode 600; the password is "
                + "sent once and never stored.",
        "Example: atoll login http://127.0.0.1:8080 --user alice"})
final class LoginCommand extends ApiCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "URL",
            description = "the API's address (default: --url, ATOLL_URL, else the last one logged in to)")
    String url;

    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "the username (asked for when left out)")
    String user;

    @Option(names = "--password-stdin", description = "read the password from standard input, for scripts")
    boolean passwordStdin;

    @Override
    public Integer call() {
        Terminal terminal = terminal();
        ConfigFile config = configFile();
        ConfigFile.Stored before = config.load();
        String target = url != null ? url : options.url != null ? options.url : terminal.variable("ATOLL_URL");
        target = target != null ? target : before.url();
        if (target == null) {
            throw new CliException(ExitCodes.USAGE, "log in where? give the API's URL",
                    "atoll login http://127.0.0.1:8080");
        }
        ApiUrl api = ApiUrl.parse(target);
        String name = Credentials.user(terminal, user, api.base().equals(before.url()) ? before.user() : null);
        char[] password = Credentials.password(terminal, passwordStdin, name, api);
        if (api.cleartextRemote()) {
            terminal.err().println("atoll: warning: " + api + " is plain HTTP: the password and the token cross "
                    + "the network unencrypted");
        }
        JsonNode issued = Credentials.issueToken(api, name, password, Credentials.tokenName(), null, timeout()).json();
        String token = Json.text(issued, "token");
        String id = Json.text(issued, "id");
        if (token == null || id == null) {
            throw new CliException(ExitCodes.ERROR, "the API answered no token");
        }
        config.save(new ConfigFile.Stored(api.base(), name, token, id));
        revokeReplaced(before, api);
        if (json()) {
            // The API's answer, less the token itself: stdout may well be a CI log.
            ObjectNode shown = ((ObjectNode) issued).deepCopy();
            shown.remove("token");
            printJson(Json.write(shown));
        } else {
            say("Logged in to " + api + " as " + Terminal.printable(name) + " (token " + Json.cell(issued, "name")
                    + ", expires " + Json.cell(issued, "expiresAt") + "), kept in " + config.path());
        }
        return ExitCodes.OK;
    }

    /** A token this login replaces would otherwise stay valid, unknown to anyone, until it expires. */
    private void revokeReplaced(ConfigFile.Stored before, ApiUrl api) {
        if (before.token() == null || before.tokenId() == null || !api.base().equals(before.url())) {
            return;
        }
        try {
            new ApiClient(api, ApiClient.bearer(before.token()), null, timeout())
                    .send("DELETE", "/api/v1/tokens/" + ApiUrl.segment(before.tokenId()), null);
        } catch (CliException e) {
            // expired or revoked already, most likely; the new login stands either way
        }
    }
}
