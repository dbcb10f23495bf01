package io.atoll.registry.oci;

/**
 * A request the registry refuses, carrying the spec error code. Thrown anywhere below the web
 * layer and turned into the spec's error body in one place ({@code OciErrorAdvice}).
 */
public class RegistryException extends RuntimeException {

    private final ErrorCode code;
    private final int status;
    private final transient Object detail;

    public RegistryException(ErrorCode code, String message) {
        this(code, code.status(), message, null);
    }

    public RegistryException(ErrorCode code, String message, Object detail) {
        this(code, code.status(), message, detail);
    }

    public RegistryException(ErrorCode code, int status, String message, Object detail) {
        super(message);
        this.code = code;
        this.status = status;
        this.detail = detail;
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    public Object detail() {
        return detail;
    }
}
