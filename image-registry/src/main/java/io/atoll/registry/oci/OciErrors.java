package io.atoll.registry.oci;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spec's error body {@code {"errors":[{"code","message","detail"}]}}, and the code that goes
 * with a bare HTTP status: for refusals the registry's own code did not raise (Tomcat's parser,
 * a body that broke off, Spring's handling of the actuator), so that every error on this port has
 * the one shape clients of the Distribution API understand.
 */
public final class OciErrors {

    private OciErrors() {
    }

    public static Map<String, Object> body(ErrorCode code, String message, Object detail) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.name());
        error.put("message", message);
        error.put("detail", detail);
        return Map.of("errors", List.of(error));
    }

    /** The same body as JSON text, for places without a JSON mapper (the Tomcat valve). */
    public static String json(ErrorCode code, String message) {
        return "{\"errors\":[{\"code\":\"" + code.name() + "\",\"message\":\"" + escape(message) + "\",\"detail\":null}]}";
    }

    /** @param path the request path, when known: a 400 or 416 on an upload is about the upload */
    public static ErrorCode codeFor(int status, String path) {
        boolean upload = path != null && path.contains("/blobs/uploads");
        return switch (status) {
            case 400 -> upload ? ErrorCode.BLOB_UPLOAD_INVALID : ErrorCode.UNSUPPORTED;
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.DENIED;
            case 413 -> ErrorCode.SIZE_INVALID;
            case 416 -> upload ? ErrorCode.BLOB_UPLOAD_INVALID : ErrorCode.SIZE_INVALID;
            case 429 -> ErrorCode.TOOMANYREQUESTS;
            default -> status >= 500 ? ErrorCode.UNKNOWN : ErrorCode.UNSUPPORTED;
        };
    }

    public static String messageFor(int status, String path) {
        return switch (status) {
            case 400 -> path != null && path.contains("/blobs/uploads") ? "request body could not be read" : "malformed request";
            case 401 -> "authentication required";
            case 403 -> "requested access to the resource is denied";
            case 404 -> "no such endpoint";
            case 405 -> "method not allowed";
            case 408 -> "request timed out";
            case 411 -> "Content-Length required";
            case 413 -> "request too large";
            case 414 -> "request target too long";
            case 415 -> "unsupported media type";
            case 431 -> "request header fields too large";
            default -> status >= 500 ? "internal server error" : "request refused";
        };
    }

    private static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
