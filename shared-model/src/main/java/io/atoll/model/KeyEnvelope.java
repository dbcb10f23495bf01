package io.atoll.model;

/**
 * A secret sealed with a key from configuration (DESIGN §9: private keys are encrypted at rest
 * and in ZooKeeper). Versioned so the algorithm or the key can change later: a reader picks the
 * key by {@code keyId} and refuses an {@code alg} it does not know.
 *
 * @param alg {@value #AES_256_GCM}: AES-256 in GCM mode, 128-bit tag appended to the ciphertext
 * @param keyId which configured key sealed it: the first 8 bytes of the key's SHA-256, in hex
 * @param iv the 12-byte nonce, base64
 * @param ciphertext base64
 */
public record KeyEnvelope(String alg, String keyId, String iv, String ciphertext) {

    public static final String AES_256_GCM = "A256GCM";

    /** Never the ciphertext: an envelope in a log line says which key sealed it and nothing else. */
    @Override
    public String toString() {
        return "KeyEnvelope[alg=" + alg + ", keyId=" + keyId + "]";
    }
}
