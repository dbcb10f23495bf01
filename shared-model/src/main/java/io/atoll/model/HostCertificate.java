package io.atoll.model;

import java.time.Instant;

/**
 * The certificate the gateway serves for one host, written by platform-api at
 * {@code /atoll/certificates/{host}}. The host is exact ({@code shop.example.com}) or a wildcard
 * ({@code *.example.com}); the gateway picks by the client's SNI name, exact before wildcard.
 *
 * <p>The HTTPS redirect and HSTS live here rather than on the route: both only make sense where
 * a certificate is served, and a redirect to a host the gateway has no certificate for would
 * lock clients out. They are per host, set with the upload.
 *
 * @param chainPem the leaf first, then each issuer, PEM
 * @param key the PKCS#8 private key, PEM, sealed ({@link io.atoll.crypto.KeySealer}); never clear text
 * @param fingerprint the leaf's SHA-256, hex with ':'
 * @param redirectHttps plain-HTTP requests for the host get a 308 to https
 * @param hstsMaxAgeSeconds HTTPS responses for the host carry {@code Strict-Transport-Security}
 *     with this max-age; 0 for none
 * @param version when platform-api wrote it (epoch ms), to tell two values apart
 */
public record HostCertificate(
        String app,
        String host,
        String chainPem,
        KeyEnvelope key,
        Instant notBefore,
        Instant notAfter,
        String fingerprint,
        boolean redirectHttps,
        long hstsMaxAgeSeconds,
        long version) {

    @Override
    public String toString() {
        return "HostCertificate[app=" + app + ", host=" + host + ", fingerprint=" + fingerprint + "]";
    }
}
