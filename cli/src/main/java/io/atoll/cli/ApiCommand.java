package io.atoll.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to platform-api: its options, the client made from them and the stored
 * login, and output either as the API's JSON ({@code --json}) or for people.
 */
abstract class ApiCommand implements Callable<Integer> {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions options;

    private ApiClient client;

    Terminal terminal() {
        return ((Atoll) spec.root().userObject()).terminal();
    }

    PrintWriter out() {
        return terminal().out();
    }

    boolean json() {
        return options.json;
    }

    ConfigFile configFile() {
        return ConfigFile.locate(terminal().env());
    }

    /**
     * The client for the URL from {@code --url}, ATOLL_URL or the stored login, with ATOLL_TOKEN or
     * the stored token. The stored token goes only to the URL it was issued by.
     */
    ApiClient api() {
        if (client == null) {
            Terminal terminal = terminal();
            ConfigFile.Stored stored = configFile().load();
            String url = options.url != null ? options.url : terminal.variable("ATOLL_URL");
            url = url != null ? url : stored.url();
            if (url == null) {
                throw new CliException(ExitCodes.NOT_LOGGED_IN, "not logged in",
                        "run atoll login URL (or set ATOLL_URL and ATOLL_TOKEN)");
            }
            ApiUrl api = ApiUrl.parse(url);
            String environmentToken = terminal.variable("ATOLL_TOKEN");
            if (environmentToken != null) {
                client = new ApiClient(api, ApiClient.bearer(environmentToken.strip()), "ATOLL_TOKEN", timeout());
            } else if (stored.token() != null && stored.url() != null && ApiUrl.parse(stored.url()).equals(api)) {
                client = new ApiClient(api, ApiClient.bearer(stored.token()), null, timeout());
            } else {
                client = new ApiClient(api, null, null, timeout());
            }
        }
        return client;
    }

    /** ATOLL_TIMEOUT, in seconds: how long to wait for an answer. */
    Duration timeout() {
        String text = terminal().variable("ATOLL_TIMEOUT");
        if (text == null) {
            return DEFAULT_TIMEOUT;
        }
        try {
            long seconds = Long.parseLong(text.strip());
            if (seconds > 0 && seconds <= 86_400) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new CliException(ExitCodes.USAGE, "ATOLL_TIMEOUT is a number of seconds from 1 to 86400");
    }

    /** The API's answer as it came, for {@code --json}. */
    void printJson(String body) {
        PrintWriter out = out();
        out.print(body);
        if (!body.endsWith("\n")) {
            out.println();
        }
        out.flush();
    }

    /** A line for people; never printed with {@code --json}, whose stdout is the JSON alone. */
    void say(String line) {
        if (!json()) {
            out().println(line);
            out().flush();
        }
    }
}
