package io.atoll.cli;

import picocli.CommandLine.Option;

/** The options every command takes. */
final class ApiOptions {

    @Option(names = "--url", paramLabel = "URL",
            description = "the API's address (default: ATOLL_URL, else the one logged in to)")
    String url;

    @Option(names = "--json", description = "print the API's JSON instead of a table, and nothing else on stdout")
    boolean json;
}
