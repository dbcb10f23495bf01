package io.atoll.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code atoll}: the root command holds no options of its own but help and version, and lists the
 * subcommands, one class each. Every failure ends here, in one place: a {@link CliException} is
 * printed as {@code atoll: <message>} (and a hint) and becomes its exit code.
 */
@Command(name = "atoll", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Drives an Atoll platform from a terminal or a CI job.",
        subcommands = {
                LoginCommand.class, LogoutCommand.class, AppsCommand.class, DeployCommand.class,
                ReleasesCommand.class, RollbackCommand.class, ScaleCommand.class, ConfigCommand.class,
                LogsCommand.class, NodesCommand.class, MaintenanceCommand.class, TokensCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:done",
                "1:another error (a refused request, a server error)",
                "2:a command line that is not valid",
                "3:not logged in, or the token is not valid (401)",
                "4:not allowed (403), e.g. not in the app's team",
                "5:not found (404)",
                "6:conflict (409), e.g. another deploy of the app runs",
                "7:the deploy ended FAILED or ROLLED_BACK",
                "8:cannot connect to the API"},
        footerHeading = "%nEnvironment:%n",
        footer = {
                "  ATOLL_URL      the API's address, instead of the one logged in to",
                "  ATOLL_TOKEN    an API token, instead of the stored one (CI)",
                "  ATOLL_APP      the app, when --app is left out",
                "  ATOLL_TIMEOUT  seconds to wait for an answer (30)",
                "The login is kept in $XDG_CONFIG_HOME/atoll/config.json (~/.config/atoll/), mode 600."})
public final class Atoll implements Callable<Integer> {

    private final Terminal terminal;

    @Spec
    CommandSpec spec;

    Atoll(Terminal terminal) {
        this.terminal = terminal;
    }

    Terminal terminal() {
        return terminal;
    }

    /** {@code atoll} alone: the list of commands, and the usage error it is. */
    @Override
    public Integer call() {
        spec.commandLine().usage(terminal.err());
        return ExitCodes.USAGE;
    }

    public static void main(String[] args) {
        System.exit(run(args, Terminal.system()));
    }

    /** Runs one command line and answers its exit code. */
    static int run(String[] args, Terminal terminal) {
        CommandLine command = new CommandLine(new Atoll(terminal))
                .setOut(terminal.out())
                .setErr(terminal.err())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, line, parsed) -> report(e, terminal))
                .setParameterExceptionHandler((e, line) -> {
                    terminal.err().println("atoll: " + Terminal.printable(e.getMessage()));
                    CommandLine.UnmatchedArgumentException.printSuggestions(e, terminal.err());
                    terminal.err().println("see: " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help");
                    return ExitCodes.USAGE;
                });
        try {
            return command.execute(args);
        } finally {
            terminal.out().flush();
            terminal.err().flush();
        }
    }

    private static int report(Exception e, Terminal terminal) {
        if (e instanceof CliException failure) {
            terminal.err().println("atoll: " + failure.getMessage());
            if (failure.hint() != null) {
                terminal.err().println("hint: " + failure.hint());
            }
            return failure.exitCode();
        }
        // A bug of ours: one line, and the trace only when asked for.
        terminal.err().println("atoll: unexpected error: " + e);
        if (terminal.variable("ATOLL_DEBUG") != null) {
            e.printStackTrace(terminal.err());
        } else {
            terminal.err().println("hint: set ATOLL_DEBUG=1 to see where");
        }
        return ExitCodes.ERROR;
    }
}
