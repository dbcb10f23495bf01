package io.atoll.platform.certificates;

import io.atoll.crypto.KeySealer;
import io.atoll.model.HostCertificate;
import io.atoll.platform.apps.App;
import io.atoll.platform.hosts.HostClaims;
import io.atoll.platform.hosts.HostName;
import io.atoll.platform.hosts.HostPolicy;
import io.atoll.platform.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Base64;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Validates, seals and stores certificates per host. A host may carry a certificate only if it
 * belongs to the app: the app claimed it (exactly, or under a wildcard it claimed; a wildcard host
 * only if it claimed that very wildcard), or it is the app's {@code {app}.{default-domain}}.
 * The same rules as for routing a host (DESIGN §9), so a certificate can never make the gateway
 * answer for another app's name.
 */
@Service
class CertificateService {

    /** Two years: the longest HSTS max-age browsers' preload lists ask for. */
    private static final long MAX_HSTS = Duration.ofDays(730).toSeconds();

    private final CertificateRepository certificates;
    private final CertificateWriter writer;
    private final HostPolicy hostPolicy;
    private final HostClaims claims;
    private final KeySealer sealer;
    private final CertificateValidator validator;
    private final Clock clock = Clock.systemUTC();

    CertificateService(CertificateRepository certificates, CertificateWriter writer, HostPolicy hostPolicy,
            HostClaims claims, KeySealer certificateKeySealer, CertificateProperties properties) {
        this.certificates = certificates;
        this.writer = writer;
        this.hostPolicy = hostPolicy;
        this.claims = claims;
        this.sealer = certificateKeySealer;
        this.validator = new CertificateValidator(properties.maxChainLength());
    }

    /** The hosts now served with the uploaded certificate, committed; ZooKeeper follows. */
    @Transactional
    List<HostCertificate> put(App app, CertificateRequest request, String author) {
        if (request == null) {
            throw ApiException.invalid(List.of("body: a JSON object with chain and key"));
        }
        long hsts = request.hstsMaxAgeSeconds() == null ? 0 : request.hstsMaxAgeSeconds();
        if (hsts < 0 || hsts > MAX_HSTS) {
            throw ApiException.invalid(List.of("hstsMaxAgeSeconds: 0 (none) to " + MAX_HSTS + " (two years)"));
        }
        Instant now = clock.instant();
        CertificateValidator.Checked checked = validator.check(request.chain(), request.key(), now);
        List<String> hosts = hostsToServe(app, checked.dnsNames(), request.hosts());
        claims.lock();
        ownedByApp(app, hosts);
        String chainPem = toPem(checked);
        byte[] keyPem = ("-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(checked.key().getEncoded())
                + "\n-----END PRIVATE KEY-----\n").getBytes(StandardCharsets.US_ASCII);
        List<HostCertificate> written = new ArrayList<>();
        for (String host : hosts) {
            HostCertificate value = new HostCertificate(app.name(), host, chainPem, sealer.seal(keyPem, host),
                    checked.notBefore(), checked.notAfter(), checked.fingerprint(),
                    Boolean.TRUE.equals(request.redirectHttps()), hsts, now.toEpochMilli());
            certificates.save(new CertificateRepository.Row(value,
                    checked.leaf().getSubjectX500Principal().getName(),
                    checked.leaf().getIssuerX500Principal().getName(), author));
            written.add(value);
        }
        java.util.Arrays.fill(keyPem, (byte) 0);
        return written;
    }

    void publish(List<HostCertificate> written, List<String> deletedHosts) {
        writer.publish(written, deletedHosts);
    }

    List<CertificateView> list(String app) {
        Map<String, List<CertificateRepository.Row>> byFingerprint = new LinkedHashMap<>();
        for (CertificateRepository.Row row : certificates.findByApp(app)) {
            byFingerprint.computeIfAbsent(row.value().fingerprint() + "|" + row.value().version(), k -> new ArrayList<>())
                    .add(row);
        }
        Instant now = clock.instant();
        return byFingerprint.values().stream().map(rows -> {
            CertificateRepository.Row first = rows.get(0);
            HostCertificate value = first.value();
            return new CertificateView(rows.stream().map(r -> r.value().host()).toList(), value.fingerprint(),
                    first.subject(), first.issuer(), value.notBefore(), value.notAfter(),
                    Duration.between(now, value.notAfter()).toDays(), value.redirectHttps(), value.hstsMaxAgeSeconds(),
                    countCertificates(value.chainPem()), Instant.ofEpochMilli(value.version()), first.uploadedBy());
        }).toList();
    }

    @Transactional
    List<String> delete(String app, Optional<String> host) {
        if (host.isEmpty()) {
            List<String> hosts = certificates.findByApp(app).stream().map(row -> row.value().host()).toList();
            certificates.deleteAll(app);
            return hosts;
        }
        String name = host.get().toLowerCase(java.util.Locale.ROOT);
        if (certificates.delete(app, name) == 0) {
            throw ApiException.notFound("Certificate for host", name);
        }
        return List.of(name);
    }

    private List<String> hostsToServe(App app, List<String> dnsNames, List<String> asked) {
        List<String> errors = new ArrayList<>();
        Set<String> hosts = new LinkedHashSet<>();
        if (asked == null || asked.isEmpty()) {
            for (String name : dnsNames) {
                hosts.add(checkName(name, "chain: the leaf's DNS name ", errors));
            }
        } else {
            if (asked.size() > 100) {
                throw ApiException.invalid(List.of("hosts: at most 100"));
            }
            for (String raw : asked) {
                String host = checkName(raw, "hosts: ", errors);
                if (host != null && dnsNames.stream().noneMatch(san -> CertificateValidator.covers(san, host))) {
                    errors.add("hosts: " + ApiException.quote(host) + " is not covered by the certificate's names "
                            + dnsNames);
                }
                hosts.add(host);
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return List.copyOf(hosts);
    }

    private String checkName(String raw, String field, List<String> errors) {
        try {
            return hostPolicy.check(raw).name();
        } catch (HostPolicy.InvalidHostException e) {
            errors.add(field + ApiException.quote(raw) + " " + e.getMessage());
            return null;
        }
    }

    private void ownedByApp(App app, List<String> hosts) {
        List<String> errors = new ArrayList<>();
        for (String host : hosts) {
            HostName name = host.startsWith("*.") ? new HostName(host, true) : new HostName(host, false);
            Optional<String> defaultOwner = hostHolderByDefault(name);
            if (defaultOwner.isPresent()) {
                if (!defaultOwner.get().equals(app.name())) {
                    errors.add("hosts: " + ApiException.quote(host) + " is another app's default host");
                }
                continue;
            }
            List<HostClaims.Claim> overlapping = claims.overlapping(name);
            boolean mine = name.wildcard()
                    ? overlapping.stream().anyMatch(c -> c.host().equals(host) && c.app().equals(app.name()))
                    : claims.matching(host).stream().anyMatch(c -> c.app().equals(app.name()));
            boolean others = overlapping.stream().anyMatch(c -> !c.app().equals(app.name()));
            if (others) {
                errors.add("hosts: " + ApiException.quote(host) + " is claimed by another app");
            } else if (!mine) {
                errors.add("hosts: " + ApiException.quote(host) + " is not a host of " + app.name()
                        + " (its hosts: " + app.hostList() + " and " + hostPolicy.defaultHost(app.name()) + ")");
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }

    private Optional<String> hostHolderByDefault(HostName name) {
        return hostPolicy.defaultHostOwner(name);
    }

    private static String toPem(CertificateValidator.Checked checked) {
        StringBuilder pem = new StringBuilder();
        Base64.Encoder encoder = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        for (var cert : checked.chain()) {
            try {
                pem.append("-----BEGIN CERTIFICATE-----\n").append(encoder.encodeToString(cert.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return pem.toString();
    }

    private static int countCertificates(String pem) {
        int count = 0;
        for (int at = pem.indexOf("-----BEGIN CERTIFICATE-----"); at >= 0;
                at = pem.indexOf("-----BEGIN CERTIFICATE-----", at + 1)) {
            count++;
        }
        return count;
    }
}
