package io.atoll.cli;

import picocli.CommandLine.Command;

@Command(name = "logout", description = {
        "Revokes the stored token and removes it from the config file.", "Example: atoll logout"})
final class LogoutCommand extends ApiCommand {

    @Override
    public Integer call() {
        ConfigFile config = configFile();
        ConfigFile.Stored stored = config.load();
        if (stored.token() == null) {
            say("Not logged in: nothing to do.");
            return ExitCodes.OK;
        }
        ApiUrl api = ApiUrl.parse(stored.url());
        if (stored.tokenId() == null) {
            config.save(stored.withoutToken());
            say("Removed the stored token; it had no id to revoke it by: atoll tokens lists yours.");
            return ExitCodes.OK;
        }
        try {
            new ApiClient(api, ApiClient.bearer(stored.token()), null, timeout())
                    .send("DELETE", "/api/v1/tokens/" + ApiUrl.segment(stored.tokenId()), null);
        } catch (CliException e) {
            // 401 or 404: the token is expired or revoked already, which is what logout wants.
            if (e.exitCode() != ExitCodes.NOT_LOGGED_IN && e.exitCode() != ExitCodes.NOT_FOUND) {
                throw new CliException(e.exitCode(), "the token could not be revoked, and stays stored: "
                        + e.getMessage(), "run atoll logout again once " + api + " answers");
            }
        }
        config.save(stored.withoutToken());
        say("Logged out of " + api + ": the token is revoked.");
        return ExitCodes.OK;
    }
}
