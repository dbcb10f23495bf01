package io.atoll.platform.certificates;

import java.time.Instant;
import java.util.List;

/**
 * One uploaded certificate as the API shows it: never its key.
 *
 * @param hosts the hosts it is served for
 * @param fingerprint the leaf's SHA-256
 * @param expiresInDays whole days until {@code notAfter}
 */
record CertificateView(List<String> hosts, String fingerprint, String subject, String issuer, Instant notBefore,
        Instant notAfter, long expiresInDays, boolean redirectHttps, long hstsMaxAgeSeconds, int chainLength,
        Instant uploadedAt, String uploadedBy) {
}
