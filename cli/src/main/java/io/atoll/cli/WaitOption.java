package io.atoll.cli;

import picocli.CommandLine.Option;

/** {@code --no-wait}, for the commands that start a deploy and otherwise follow it to its end. */
final class WaitOption {

    @Option(names = "--no-wait", description = "start the rollout and return at once, without following it")
    boolean noWait;
}
