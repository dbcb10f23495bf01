package io.atoll.build.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Request bodies read once as raw bytes, bounded, then parsed: a webhook's signature covers
 * exactly these bytes, and no body larger than the limit is ever held in memory.
 */
public final class Bodies {

    private Bodies() {
    }

    public static byte[] read(HttpServletRequest request, int maxBytes) {
        if (request.getContentLengthLong() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            return body;
        } catch (IOException e) {
            throw ApiException.badRequest("the request body could not be read");
        }
    }

    /** A JSON object, or 400; media type checked first (415). */
    public static JsonNode jsonObject(HttpServletRequest request, byte[] body, JsonMapper json) {
        String type = request.getContentType();
        if (type == null || !MediaType.APPLICATION_JSON.isCompatibleWith(parse(type))) {
            throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
                    "the body must be application/json");
        }
        JsonNode node;
        try {
            node = json.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readValue(body);
        } catch (JacksonException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "Malformed request body", "the request body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "Malformed request body", "the request body must be a JSON object");
        }
        return node;
    }

    /** The text at {@code path} (e.g. {@code /repository/clone_url}), null when absent, 400 when not a string. */
    public static String text(JsonNode root, String pointer) {
        JsonNode node = root.at(pointer);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            throw ApiException.badRequest(pointer.substring(1).replace('/', '.') + " must be a string");
        }
        return node.asString();
    }

    private static MediaType parse(String type) {
        try {
            return MediaType.parseMediaType(type);
        } catch (RuntimeException e) {
            throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
                    "the body must be application/json");
        }
    }

    private static ApiException tooLarge(int maxBytes) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "Request body too large",
                "the request body is larger than " + maxBytes + " bytes");
    }
}
