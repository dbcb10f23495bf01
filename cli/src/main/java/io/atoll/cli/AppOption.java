package io.atoll.cli;

import picocli.CommandLine.Option;

/** {@code --app}, for the commands about one app; ATOLL_APP when it is left out. */
final class AppOption {

    @Option(names = {"-a", "--app"}, paramLabel = "APP", description = "the app (default: ATOLL_APP)")
    String app;

    String require(Terminal terminal) {
        String chosen = app != null ? app : terminal.variable("ATOLL_APP");
        if (chosen == null) {
            throw new CliException(ExitCodes.USAGE, "which app? give --app APP or set ATOLL_APP");
        }
        return chosen.strip();
    }
}
