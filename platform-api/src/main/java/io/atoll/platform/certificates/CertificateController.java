package io.atoll.platform.certificates;

import io.atoll.model.HostCertificate;
import io.atoll.platform.apps.App;
import io.atoll.platform.apps.AppService;
import io.atoll.platform.audit.Audit;
import io.atoll.platform.web.Authors;
import java.util.List;
import java.util.Optional;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTPS certificates of an app's hosts. {@code PUT} uploads one (chain and key, validated,
 * the key sealed before it is stored) for the hosts it names; it replaces whatever those hosts
 * had, and the gateways serve it within a ZooKeeper event. Nothing here ever answers a key.
 */
@RestController
@RequestMapping("/api/v1/apps/{app}/certificates")
class CertificateController {

    private final AppService apps;
    private final CertificateService certificates;

    CertificateController(AppService apps, CertificateService certificates) {
        this.apps = apps;
        this.certificates = certificates;
    }

    @GetMapping
    List<CertificateView> list(@PathVariable String app) {
        apps.require(app);
        return certificates.list(app);
    }

    @PutMapping
    ResponseEntity<CertificateView> put(@PathVariable String app, @RequestBody CertificateRequest request,
            Authentication who) {
        App found = apps.require(app);
        List<HostCertificate> written = certificates.put(found, request, Authors.of(who));
        certificates.publish(written, List.of());
        HostCertificate first = written.get(0);
        Audit.detail("certificate " + first.fingerprint() + " for " + String.join(", ",
                written.stream().map(HostCertificate::host).toList()));
        return ResponseEntity.ok(certificates.list(app).stream()
                .filter(view -> view.fingerprint().equals(first.fingerprint()) && view.hosts().contains(first.host()))
                .findFirst().orElseThrow());
    }

    /** Every certificate of the app. */
    @DeleteMapping
    ResponseEntity<Void> deleteAll(@PathVariable String app) {
        apps.require(app);
        List<String> hosts = certificates.delete(app, Optional.empty());
        certificates.publish(List.of(), hosts);
        Audit.detail("certificates removed for " + (hosts.isEmpty() ? "no host" : String.join(", ", hosts)));
        return ResponseEntity.noContent().build();
    }

    /** The certificate of one host. */
    @DeleteMapping("/{host}")
    ResponseEntity<Void> delete(@PathVariable String app, @PathVariable String host) {
        apps.require(app);
        List<String> hosts = certificates.delete(app, Optional.of(host));
        certificates.publish(List.of(), hosts);
        Audit.detail("certificate removed for " + hosts.get(0));
        return ResponseEntity.noContent().build();
    }
}
