package io.atoll.registry.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/** A content digest; only sha256, the one algorithm every client uses and the spec requires. */
public record Digest(String hex) {

    private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern HEX = Pattern.compile("[a-f0-9]{64}");

    public Digest {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "invalid sha256 hex", Map.of("digest", String.valueOf(hex)));
        }
    }

    public static boolean looksLikeDigest(String value) {
        return value != null && value.contains(":");
    }

    public static Digest parse(String value) {
        if (value == null || !SHA256.matcher(value).matches()) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID,
                    "digest must be sha256:<64 lowercase hex>", Map.of("digest", String.valueOf(value)));
        }
        return new Digest(value.substring("sha256:".length()));
    }

    public static Digest of(byte[] content) {
        return fromHash(newHasher().digest(content));
    }

    public static Digest fromHash(byte[] sha256) {
        return new Digest(HexFormat.of().formatHex(sha256));
    }

    public static MessageDigest newHasher() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
