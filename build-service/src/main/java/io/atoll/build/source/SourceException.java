package io.atoll.build.source;

/**
 * A source that could not be checked out or unpacked, for a reason the user should read. The
 * message never holds a credential. {@link #status()} is what the REST API answers with.
 */
public class SourceException extends Exception {

    /** Why: the caller's input was refused, it was over a limit, or the repository could not be read. */
    public enum Kind {
        REFUSED(400), TOO_LARGE(413), UNAVAILABLE(502);

        private final int status;

        Kind(int status) {
            this.status = status;
        }
    }

    private final Kind kind;

    public SourceException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public SourceException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public static SourceException refused(String message) {
        return new SourceException(Kind.REFUSED, message);
    }

    public static SourceException tooLarge(String message) {
        return new SourceException(Kind.TOO_LARGE, message);
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return kind.status;
    }
}
