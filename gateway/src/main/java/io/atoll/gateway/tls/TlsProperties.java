package io.atoll.gateway.tls;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The HTTPS traffic port.
 *
 * @param enabled whether to serve HTTPS at all; by default on when an {@code encryptionKey} is
 *     set; {@code true} in {@code dev} without one uses dev's fixed key
 * @param port the TLS traffic port
 * @param publicPort the HTTPS port clients reach (a load balancer's 443 in front of the gateway):
 *     redirects point there; the bound port by default
 * @param defaultCertificate PEM chain served to clients whose SNI name has no certificate (or
 *     that send none); without it a self-signed one is made at start
 * @param defaultKey the PKCS#8 PEM key of {@code defaultCertificate}
 * @param encryptionKey opens the private keys platform-api sealed: the same value as its
 *     {@code atoll.platform.certificates.encryption-key}
 * @param previousEncryptionKeys keys from before a rotation, still opened
 * @param provider {@code auto} (OpenSSL through netty-tcnative BoringSSL where it loads, else the
 *     JDK), {@code openssl} or {@code jdk}
 */
@ConfigurationProperties("atoll.gateway.tls")
public record TlsProperties(Boolean enabled, Integer port, Integer publicPort, Path defaultCertificate, Path defaultKey,
        String encryptionKey, List<String> previousEncryptionKeys, String provider) {

    public TlsProperties {
        port = port == null ? 8443 : port;
        previousEncryptionKeys = previousEncryptionKeys == null ? List.of() : List.copyOf(previousEncryptionKeys);
        provider = provider == null || provider.isBlank() ? "auto" : provider.strip().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("auto", "openssl", "jdk").contains(provider)) {
            throw new IllegalArgumentException("atoll.gateway.tls.provider is auto, openssl or jdk, not " + provider);
        }
        if ((defaultCertificate == null) != (defaultKey == null)) {
            throw new IllegalArgumentException(
                    "atoll.gateway.tls.default-certificate and default-key go together: set both or neither");
        }
    }

    /** Never the keys. */
    @Override
    public String toString() {
        return "TlsProperties[enabled=" + enabled + ", port=" + port + ", publicPort=" + publicPort
                + ", defaultCertificate=" + defaultCertificate + ", encryptionKey=" + (encryptionKey == null ? "unset" : "***")
                + ", provider=" + provider + "]";
    }
}
