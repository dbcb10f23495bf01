package io.atoll.gateway.tls;

import io.atoll.model.HostCertificate;
import java.util.function.IntSupplier;

/**
 * For the plain port: where a request for a host whose certificate asks for HTTPS only is sent
 * instead (a 308, which keeps the method and body). Hosts without a certificate are never
 * redirected: there would be nothing to answer them on the other side.
 *
 * @param publicPort the HTTPS port clients reach; left out of the URL when 443
 */
public record HttpsRedirect(CertificateStore certificates, IntSupplier publicPort) {

    /** @return the https URL, or null to serve the request as it is */
    public String location(String host, String target) {
        HostCertificate certificate = certificates.certificateFor(host);
        if (certificate == null || !certificate.redirectHttps()) {
            return null;
        }
        int port = publicPort.getAsInt();
        return "https://" + host + (port == 443 ? "" : ":" + port) + (target.startsWith("/") ? target : "/");
    }
}
