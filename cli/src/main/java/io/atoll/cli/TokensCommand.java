package io.atoll.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

@Command(name = "tokens", description = {"Lists your API tokens (never their values); revokes one; makes one for CI.",
        "Example: atoll tokens"},
        subcommands = {TokensCommand.Revoke.class, TokensCommand.Create.class})
final class TokensCommand extends ApiCommand {

    @Override
    public Integer call() {
        ApiClient.Response response = api().get("/api/v1/tokens");
        if (json()) {
            printJson(response.body());
            return ExitCodes.OK;
        }
        JsonNode tokens = response.json();
        if (tokens.isEmpty()) {
            say("No tokens.");
            return ExitCodes.OK;
        }
        String mine = configFile().load().tokenId();
        Table table = new Table("ID", "NAME", "CREATED", "EXPIRES", "LAST USED");
        for (JsonNode token : tokens.values()) {
            String id = Json.text(token, "id");
            table.row(id, Json.text(token, "name") + (id != null && id.equals(mine) ? " (this login)" : ""),
                    Times.shown(Json.text(token, "createdAt")), Times.shown(Json.text(token, "expiresAt")),
                    Times.shown(Json.text(token, "lastUsedAt")));
        }
        table.print(out());
        return ExitCodes.OK;
    }

    @Command(name = "revoke", description = {"Revokes a token: it is refused from now on.",
            "Example: atoll tokens revoke 7f3c0b1e"})
    static final class Revoke extends ApiCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "the token's id, as atoll tokens lists it")
        String id;

        @Override
        public Integer call() {
            api().send("DELETE", "/api/v1/tokens/" + ApiUrl.segment(id), null);
            ConfigFile config = configFile();
            ConfigFile.Stored stored = config.load();
            boolean own = id.equals(stored.tokenId()) && stored.token() != null;
            if (own) {
                config.save(stored.withoutToken());
            }
            say("Revoked token " + Terminal.printable(id) + (own ? ", this login's: you are logged out." : "."));
            return ExitCodes.OK;
        }
    }

    @Command(name = "create", description = {
            "Makes a token for CI with your username and password, and prints it once: set it as ATOLL_TOKEN in "
                    + "the CI's secrets. It is not stored here.",
            "Example: atoll tokens create ci-deploys --user alice"})
    static final class Create extends ApiCommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "what the token is for, as atoll tokens will list it")
        String name;

        @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "the username (asked for when left out)")
        String user;

        @Option(names = "--password-stdin", description = "read the password from standard input")
        boolean passwordStdin;

        @Option(names = "--days", paramLabel = "N", description = "how long it is valid (default: the API's, 30 days)")
        Integer days;

        @Override
        public Integer call() {
            ApiUrl url = api().url();
            ConfigFile.Stored stored = configFile().load();
            String who = Credentials.user(terminal(), user, url.base().equals(stored.url()) ? stored.user() : null);
            char[] password = Credentials.password(terminal(), passwordStdin, who, url);
            ApiClient.Response issued = Credentials.issueToken(url, who, password, name, days, timeout());
            if (json()) {
                printJson(issued.body());
            } else {
                JsonNode token = issued.json();
                // The one place a token is printed: asked for by name, for a CI's secret store.
                out().println(Json.text(token, "token"));
                terminal().err().println("atoll: token " + Json.cell(token, "name") + " (id " + Json.cell(token, "id")
                        + ") expires " + Json.cell(token, "expiresAt") + "; it is shown this once");
            }
            return ExitCodes.OK;
        }
    }
}
