package io.atoll.crypto;

import io.atoll.model.KeyEnvelope;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals and opens secrets with AES-256-GCM (the JDK's own {@code javax.crypto}) under a key from
 * configuration: 32 random bytes, base64 ({@code openssl rand -base64 32}). Sealing uses the
 * first key; opening also accepts the previous ones, so a key can be rotated by configuring the
 * new one first and the old one after it until everything is sealed again.
 *
 * <p>Each seal binds a context (the host a certificate key is for) as GCM's associated data: an
 * envelope copied to another host's node does not open there.
 */
public final class KeySealer {

    /**
     * The key of the {@code dev} profile, where platform-api and the gateway run unconfigured on
     * one machine. Public in this source, so it protects nothing: never use it elsewhere.
     */
    public static final String DEV_KEY = "ZGV2LW9ubHkta2V5LWF0b2xsLW5ldmVyLWluLXByb2Q=";

    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKey current;
    private final String currentId;
    private final Map<String, SecretKey> byId = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /**
     * @param property the configuration property the keys came from, named in errors
     * @param keys base64 32-byte keys, the sealing one first
     * @throws IllegalArgumentException naming the property (never the value) when a key is not 32 bytes of base64
     */
    public KeySealer(String property, List<String> keys) {
        if (keys == null || keys.isEmpty() || keys.get(0) == null || keys.get(0).isBlank()) {
            throw new IllegalArgumentException(property + " is required: 32 random bytes in base64 (openssl rand -base64 32)");
        }
        SecretKey first = null;
        for (int i = 0; i < keys.size(); i++) {
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(keys.get(i).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(property + " key " + (i + 1) + " is not base64");
            }
            if (raw.length != 32) {
                throw new IllegalArgumentException(property + " key " + (i + 1) + " is " + raw.length
                        + " bytes; AES-256 needs 32 (openssl rand -base64 32)");
            }
            SecretKey key = new SecretKeySpec(raw, "AES");
            byId.putIfAbsent(keyId(raw), key);
            if (first == null) {
                first = key;
            }
        }
        this.current = first;
        this.currentId = keyId(first.getEncoded());
    }

    /**
     * The sealer a service's configuration asks for: {@code key} seals, {@code previous} still
     * open. Without a key: dev's fixed {@link #DEV_KEY} in the {@code dev} profile, with a WARN;
     * anywhere else an error naming the property and what it is for.
     *
     * @param purpose what the key is for, finishing "{property} is required ..."
     */
    public static KeySealer fromConfiguration(String property, String key, List<String> previous, boolean dev,
            String purpose) {
        if (key == null || key.isBlank()) {
            if (!dev) {
                throw new IllegalStateException(property + " is required " + purpose
                        + " (32 random bytes, base64: openssl rand -base64 32)");
            }
            org.slf4j.LoggerFactory.getLogger(KeySealer.class).warn("{} is not set: using dev's fixed key, published in"
                    + " Atoll's source. Never use this outside dev", property);
            key = DEV_KEY;
        }
        List<String> keys = new java.util.ArrayList<>();
        keys.add(key);
        keys.addAll(previous);
        return new KeySealer(property, keys);
    }

    public static KeySealer of(String property, String base64Key) {
        return new KeySealer(property, base64Key == null ? List.of() : List.of(base64Key));
    }

    /** A fresh random key, base64, as configuration wants it. */
    public static String generateKey() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    /** The id envelopes sealed now carry. */
    public String keyId() {
        return currentId;
    }

    public KeyEnvelope seal(byte[] secret, String context) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, current, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secret);
            Base64.Encoder b64 = Base64.getEncoder();
            return new KeyEnvelope(KeyEnvelope.AES_256_GCM, currentId, b64.encodeToString(iv), b64.encodeToString(sealed));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /**
     * @throws SealException when the envelope is of an unknown kind, sealed with a key not
     *     configured here, sealed for another context, or altered
     */
    public byte[] open(KeyEnvelope envelope, String context) {
        if (envelope == null || !KeyEnvelope.AES_256_GCM.equals(envelope.alg())) {
            throw new SealException("not an " + KeyEnvelope.AES_256_GCM + " envelope: "
                    + (envelope == null ? "none" : envelope.alg()));
        }
        SecretKey key = byId.get(envelope.keyId());
        if (key == null) {
            throw new SealException("sealed with key " + envelope.keyId() + ", which is not configured here (this one's is "
                    + currentId + ")");
        }
        try {
            byte[] iv = Base64.getDecoder().decode(envelope.iv());
            byte[] sealed = Base64.getDecoder().decode(envelope.ciphertext());
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new SealException("does not open with key " + envelope.keyId() + " for " + context
                    + ": altered, or sealed for another host");
        }
    }

    private static String keyId(byte[] raw) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(raw);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An envelope that cannot be opened here; the message never holds key material. */
    public static final class SealException extends RuntimeException {
        public SealException(String message) {
            super(message);
        }
    }
}
