package io.atoll.cli;

/**
 * A failure to report to the user: printed as {@code atoll: <message>} on stderr, with a hint
 * line when there is something to do about it, and ended with its exit code. Never a stack trace.
 */
class CliException extends RuntimeException {

    private final int exitCode;
    private final String hint;

    CliException(int exitCode, String message, String hint) {
        super(message, null, false, false);
        this.exitCode = exitCode;
        this.hint = hint;
    }

    CliException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    int exitCode() {
        return exitCode;
    }

    /** What the user can do about it; null when nothing useful can be said. */
    String hint() {
        return hint;
    }
}
