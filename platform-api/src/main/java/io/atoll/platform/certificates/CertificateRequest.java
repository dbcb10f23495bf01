package io.atoll.platform.certificates;

import java.util.List;

/**
 * An upload.
 *
 * @param chain the PEM certificates, the leaf first, then each issuer
 * @param key the leaf's private key, unencrypted PKCS#8 PEM
 * @param hosts which of the leaf's names to serve it for; all its DNS names when absent. Each must
 *     be a host of this app (one it claimed, or {@code {app}.{default-domain}})
 * @param redirectHttps plain-HTTP requests for these hosts get a 308 to https
 * @param hstsMaxAgeSeconds {@code Strict-Transport-Security: max-age=} on their HTTPS responses; 0 or absent for none
 */
record CertificateRequest(String chain, String key, List<String> hosts, Boolean redirectHttps, Long hstsMaxAgeSeconds) {

    /** Never the key, even in a debug line. */
    @Override
    public String toString() {
        return "CertificateRequest[hosts=" + hosts + ", redirectHttps=" + redirectHttps + ", hstsMaxAgeSeconds="
                + hstsMaxAgeSeconds + "]";
    }
}
