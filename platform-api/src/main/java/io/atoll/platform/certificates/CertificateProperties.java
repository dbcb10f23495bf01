package io.atoll.platform.certificates;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param encryptionKey seals private keys in SQL and ZooKeeper: 32 random bytes, base64
 *     ({@code openssl rand -base64 32}); the gateways need the same one
 *     ({@code atoll.gateway.tls.encryption-key}). Required outside the {@code dev} profile.
 * @param previousEncryptionKeys keys that sealed what is stored before a rotation: still opened,
 *     never used to seal
 * @param maxChainLength most certificates an upload's chain may hold
 */
@ConfigurationProperties("atoll.platform.certificates")
public record CertificateProperties(String encryptionKey, List<String> previousEncryptionKeys, Integer maxChainLength) {

    public CertificateProperties {
        previousEncryptionKeys = previousEncryptionKeys == null ? List.of() : List.copyOf(previousEncryptionKeys);
        maxChainLength = maxChainLength == null ? 10 : maxChainLength;
    }

    /** Never the keys. */
    @Override
    public String toString() {
        return "CertificateProperties[encryptionKey=" + (encryptionKey == null ? "unset" : "***")
                + ", previousEncryptionKeys=" + previousEncryptionKeys.size() + ", maxChainLength=" + maxChainLength + "]";
    }
}
