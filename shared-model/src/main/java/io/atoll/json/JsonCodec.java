package io.atoll.json;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON dialect of ZooKeeper values: records written whole, unknown fields ignored so an
 * older reader keeps working when a newer writer adds a field (DESIGN §2).
 */
public final class JsonCodec {

    private static final JsonCodec SHARED = new JsonCodec();

    private final JsonMapper mapper = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    public static JsonCodec shared() {
        return SHARED;
    }

    public byte[] encode(Object value) {
        return mapper.writeValueAsBytes(value);
    }

    public String encodeToString(Object value) {
        return mapper.writeValueAsString(value);
    }

    /**
     * @throws InvalidValueException when the bytes are not a valid {@code type}
     */
    public <T> T decode(byte[] bytes, Class<T> type) {
        try {
            return mapper.readValue(bytes, type);
        } catch (JacksonException e) {
            throw new InvalidValueException("not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    public JsonMapper mapper() {
        return mapper;
    }

    /** A stored value that cannot be read; callers skip it and keep the rest. */
    public static final class InvalidValueException extends RuntimeException {
        public InvalidValueException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
