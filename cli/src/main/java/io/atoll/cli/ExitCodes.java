package io.atoll.cli;

/**
 * The exit codes of {@code atoll}, one per kind of failure a script may want to tell apart. They
 * are listed in the help ({@link Atoll}'s {@code exitCodeList}) and in docs/cli.md.
 */
final class ExitCodes {

    static final int OK = 0;
    /** Anything not listed below: a 400, a 5xx, a broken config file. */
    static final int ERROR = 1;
    /** A command line picocli (or a command) refused; picocli's own code for it. */
    static final int USAGE = 2;
    /** No token, or the API answered 401. */
    static final int NOT_LOGGED_IN = 3;
    static final int FORBIDDEN = 4;
    static final int NOT_FOUND = 5;
    static final int CONFLICT = 6;
    /** A deploy (or rollback, or config change) that ended other than SUCCEEDED. */
    static final int DEPLOY_FAILED = 7;
    /** Connection refused, unknown host, a timeout: the API could not be asked at all. */
    static final int CANNOT_CONNECT = 8;

    private ExitCodes() {
    }
}
