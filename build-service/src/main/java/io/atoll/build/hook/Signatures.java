package io.atoll.build.hook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 signatures and secret comparison, in constant time (the JDK's Mac and MessageDigest.isEqual). */
final class Signatures {

    private static final Pattern SHA256_HEADER = Pattern.compile("sha256=[0-9a-fA-F]{64}");

    private Signatures() {
    }

    /** Whether {@code header} is {@code sha256=<hex HMAC-SHA256 of the parts with the secret>}. */
    static boolean validSha256(String header, String secret, byte[]... parts) {
        if (header == null || secret.isEmpty() || !SHA256_HEADER.matcher(header).matches()) {
            return false;
        }
        byte[] given = HexFormat.of().parseHex(header.substring("sha256=".length()));
        return MessageDigest.isEqual(hmacSha256(secret, parts), given);
    }

    static byte[] hmacSha256(String secret, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Token equality without a timing side channel: both hashed first, so even the length does not leak. */
    static boolean sameToken(String given, String secret) {
        if (given == null || secret.isEmpty()) {
            return false;
        }
        try {
            MessageDigest a = MessageDigest.getInstance("SHA-256");
            MessageDigest b = MessageDigest.getInstance("SHA-256");
            return MessageDigest.isEqual(a.digest(given.getBytes(StandardCharsets.UTF_8)),
                    b.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
