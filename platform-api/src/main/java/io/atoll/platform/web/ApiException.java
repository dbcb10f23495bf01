package io.atoll.platform.web;

import java.util.List;
import org.springframework.http.HttpStatus;

/** A request the API refuses, with the status and the sentence the caller will read. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String title;
    private final List<String> errors;
    private final java.util.Map<String, Object> properties;

    public ApiException(HttpStatus status, String title, String detail) {
        this(status, title, detail, List.of());
    }

    public ApiException(HttpStatus status, String title, String detail, List<String> errors) {
        this(status, title, detail, errors, java.util.Map.of());
    }

    /** @param properties extra members of the problem, e.g. the id of the deploy in the way */
    public ApiException(HttpStatus status, String title, String detail, List<String> errors,
            java.util.Map<String, Object> properties) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.properties = java.util.Map.copyOf(properties);
    }

    public static ApiException notFound(String what, String name) {
        return new ApiException(HttpStatus.NOT_FOUND, what + " not found", "no " + what.toLowerCase() + " named " + quote(name));
    }

    public static ApiException conflict(String detail) {
        return new ApiException(HttpStatus.CONFLICT, "Conflict", detail);
    }

    public static ApiException conflict(String detail, java.util.Map<String, Object> properties) {
        return new ApiException(HttpStatus.CONFLICT, "Conflict", detail, List.of(), properties);
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "Bad request", detail);
    }

    /** A request with several invalid fields, each error as {@code field: reason}. */
    public static ApiException invalid(List<String> errors) {
        return new ApiException(HttpStatus.BAD_REQUEST, "Invalid request", String.join("; ", errors), errors);
    }

    /** A rejected value as it may be echoed in a problem: quoted, at most 80 characters, no control characters. */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String shown = value.codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .limit(80)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return "'" + shown + (value.codePointCount(0, value.length()) > 80 ? "...'" : "'");
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<String> errors() {
        return errors;
    }

    public java.util.Map<String, Object> properties() {
        return properties;
    }
}
