package io.atoll.registry.oci;

import java.util.Map;
import java.util.regex.Pattern;

/** What follows {@code /manifests/}: a tag or a digest. Exactly one of the two is set. */
public record Reference(String tag, Digest digest) {

    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    public static Reference parse(String value) {
        if (Digest.looksLikeDigest(value)) {
            return new Reference(null, Digest.parse(value));
        }
        return new Reference(validTag(value), null);
    }

    public static String validTag(String value) {
        if (value == null || !TAG.matcher(value).matches()) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, "invalid tag: must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}", Map.of("tag", String.valueOf(value)));
        }
        return value;
    }

    public boolean isDigest() {
        return digest != null;
    }

    @Override
    public String toString() {
        return isDigest() ? digest.toString() : tag;
    }
}
