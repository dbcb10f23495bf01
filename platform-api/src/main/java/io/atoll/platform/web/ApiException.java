package io.atoll.platform.web;

import org.springframework.http.HttpStatus;

/** A request the API refuses, with the status and the sentence the caller will read. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String title;

    public ApiException(HttpStatus status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    public static ApiException notFound(String what, String name) {
        return new ApiException(HttpStatus.NOT_FOUND, what + " not found", "no " + what.toLowerCase() + " named '" + name + "'");
    }

    public static ApiException conflict(String detail) {
        return new ApiException(HttpStatus.CONFLICT, "Conflict", detail);
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "Bad request", detail);
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }
}
