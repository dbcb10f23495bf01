package io.atoll.platform.certificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.atoll.crypto.KeySealer;
import io.atoll.model.HostCertificate;
import io.atoll.platform.ApiTestSupport;
import io.atoll.testing.TestPki;
import io.atoll.testing.TestPki.Issued;
import io.atoll.testing.TestPki.KeyType;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/** Issue 14 item 1: certificates uploaded through the real API, validated, sealed, and copied to ZooKeeper. */
@ExtendWith(OutputCaptureExtension.class)
class CertificateApiTest extends ApiTestSupport {

    @TempDir
    static Path dir;
    static TestPki root;
    static TestPki intermediate;

    @Value("${atoll.platform.certificates.encryption-key}")
    String encryptionKey;

    @BeforeAll
    static void pki() {
        root = TestPki.root(dir, "Atoll Test Root");
        intermediate = root.intermediate("Atoll Test Intermediate");
    }

    private HttpResponse<String> upload(String app, String chain, String key, Map<String, Object> extra) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("chain", chain);
        body.put("key", key);
        body.putAll(extra);
        return send("PUT", "/api/v1/apps/" + app + "/certificates", json.writeValueAsString(body));
    }

    /** A line of the key's base64: what must never leave the platform in clear. */
    private static String secretLine(Issued issued) {
        return issued.keyPem().lines().skip(1).findFirst().orElseThrow();
    }

    /** The DER of each PEM block, in order. */
    private static List<String> der(String pem) {
        List<String> blocks = new ArrayList<>();
        for (String block : pem.split("-----END [A-Z ]+-----")) {
            String body = block.replaceAll("-----BEGIN [A-Z ]+-----", "").replaceAll("\\s", "");
            if (!body.isEmpty()) {
                blocks.add(java.util.HexFormat.of().formatHex(Base64.getDecoder().decode(body)));
            }
        }
        return blocks;
    }

    private HostCertificate inZooKeeper(String host) throws Exception {
        return codec.decode(curator.getData().forPath(paths.certificate(host)), HostCertificate.class);
    }

    @Test
    void anUploadIsServedForEachHostWithTheKeySealedAndNeverShown(CapturedOutput output) throws Exception {
        assertThat(createApp(json.writeValueAsString(Map.of("name", "certshop",
                "hosts", List.of("shop.cert.test", "*.api.cert.test")))).statusCode()).isEqualTo(201);
        Issued leaf = intermediate.issue("shop.cert.test",
                List.of("shop.cert.test", "*.api.cert.test", "certshop.localhost"), KeyType.EC);

        HttpResponse<String> put = upload("certshop", leaf.chainPem(), leaf.keyPem(),
                Map.of("redirectHttps", true, "hstsMaxAgeSeconds", 86400));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        JsonNode view = json.readTree(put.body());
        assertThat(view.path("hosts").valueStream().map(JsonNode::asString).toList())
                .containsExactlyInAnyOrder("shop.cert.test", "*.api.cert.test", "certshop.localhost");
        assertThat(view.path("fingerprint").asString()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(view.path("subject").asString()).isEqualTo("CN=shop.cert.test");
        assertThat(view.path("issuer").asString()).isEqualTo("CN=Atoll Test Intermediate");
        assertThat(view.path("chainLength").asInt()).isEqualTo(3);
        assertThat(view.path("expiresInDays").asLong()).isBetween(8L, 10L);
        assertThat(Instant.parse(view.path("notAfter").asString())).isAfter(Instant.now().plus(9, ChronoUnit.DAYS));

        for (String host : List.of("shop.cert.test", "*.api.cert.test", "certshop.localhost")) {
            byte[] raw = curator.getData().forPath(paths.certificate(host));
            String text = new String(raw, StandardCharsets.UTF_8);
            assertThat(text).doesNotContain(secretLine(leaf)).doesNotContain("PRIVATE KEY");
            HostCertificate value = codec.decode(raw, HostCertificate.class);
            assertThat(value.app()).isEqualTo("certshop");
            assertThat(value.redirectHttps()).isTrue();
            assertThat(value.hstsMaxAgeSeconds()).isEqualTo(86400);
            assertThat(value.key().alg()).isEqualTo("A256GCM");
            // the chain served is the one uploaded, and the key opens with the configured key to the original
            assertThat(der(value.chainPem())).isEqualTo(der(leaf.chainPem()));
            byte[] opened = KeySealer.of("k", encryptionKey).open(value.key(), host);
            assertThat(der(new String(opened, StandardCharsets.US_ASCII))).isEqualTo(der(leaf.keyPem()));
        }

        HttpResponse<String> list = send("GET", "/api/v1/apps/certshop/certificates", null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(json.readTree(list.body()).size()).isEqualTo(1);
        assertThat(list.body() + put.body()).doesNotContain(secretLine(leaf)).doesNotContain("PRIVATE KEY")
                .doesNotContain(value("ciphertext"));
        assertThat(output.getAll()).doesNotContain(secretLine(leaf));

        // one host's certificate removed: its node goes, the others stay
        assertThat(send("DELETE", "/api/v1/apps/certshop/certificates/certshop.localhost", null).statusCode())
                .isEqualTo(204);
        assertThat(curator.checkExists().forPath(paths.certificate("certshop.localhost"))).isNull();
        assertThat(inZooKeeper("shop.cert.test").fingerprint()).isEqualTo(view.path("fingerprint").asString());
        assertProblem(send("DELETE", "/api/v1/apps/certshop/certificates/certshop.localhost", null), 404);

        // a replacement for one host (RSA, a self-signed private root in the upload) changes that host only
        TestPki other = TestPki.root(dir, "Other Root");
        Issued rsa = other.issue("shop.cert.test", List.of("shop.cert.test"), KeyType.RSA);
        HttpResponse<String> replaced = upload("certshop", rsa.chainPem(), rsa.keyPem(), Map.of());
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        assertThat(inZooKeeper("shop.cert.test").fingerprint()).isEqualTo(json.readTree(replaced.body())
                .path("fingerprint").asString()).isNotEqualTo(view.path("fingerprint").asString());
        assertThat(inZooKeeper("*.api.cert.test").fingerprint()).isEqualTo(view.path("fingerprint").asString());
        assertThat(json.readTree(send("GET", "/api/v1/apps/certshop/certificates", null).body()).size()).isEqualTo(2);

        // a wiped node comes back from SQL; removing them all removes every node
        curator.delete().forPath(paths.certificate("*.api.cert.test"));
        await().atMost(Duration.ofSeconds(10)).until(() -> curator.checkExists()
                .forPath(paths.certificate("*.api.cert.test")) != null);
        assertThat(send("DELETE", "/api/v1/apps/certshop/certificates", null).statusCode()).isEqualTo(204);
        for (String host : List.of("shop.cert.test", "*.api.cert.test")) {
            assertThat(curator.checkExists().forPath(paths.certificate(host))).isNull();
        }
        assertThat(json.readTree(send("GET", "/api/v1/apps/certshop/certificates", null).body()).size()).isZero();
        assertThat(output.getAll()).doesNotContain(secretLine(leaf)).doesNotContain(secretLine(rsa));
    }

    private static String value(String name) {
        return "\"" + name + "\"";
    }

    @Test
    void everyBadUploadIsA400NamingWhatIsWrongAndEchoesNoKey(CapturedOutput output) throws Exception {
        assertThat(createApp(json.writeValueAsString(Map.of("name", "certbad", "hosts", List.of("bad.cert.test"))))
                .statusCode()).isEqualTo(201);
        assertThat(createApp(json.writeValueAsString(Map.of("name", "certother", "hosts", List.of("other.cert.test"))))
                .statusCode()).isEqualTo(201);
        Issued good = intermediate.issue("bad.cert.test", List.of("bad.cert.test"), KeyType.RSA);
        Issued another = intermediate.issue("bad.cert.test", List.of("bad.cert.test"), KeyType.RSA);
        Issued anotherEc = intermediate.issue("bad.cert.test", List.of("bad.cert.test"), KeyType.EC);
        Issued expired = intermediate.issue("bad.cert.test", List.of("bad.cert.test"), KeyType.EC,
                Instant.now().minus(30, ChronoUnit.DAYS), Instant.now().minus(1, ChronoUnit.DAYS));
        Issued notYet = intermediate.issue("bad.cert.test", List.of("bad.cert.test"), KeyType.EC,
                Instant.now().plus(1, ChronoUnit.DAYS), Instant.now().plus(3, ChronoUnit.DAYS));
        Issued othersHost = intermediate.issue("other.cert.test", List.of("other.cert.test"), KeyType.EC);
        Issued unclaimed = intermediate.issue("free.cert.test", List.of("bad.cert.test", "free.cert.test"), KeyType.EC);
        Issued noSan = intermediate.issue("bad.cert.test", List.of(), KeyType.EC);
        String intPem = intermediate.certPem();
        String rootPem = root.certPem();

        List<String> fifty = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fifty.add(rootPem);
        }
        String[][] cases = {
                {good.chainPem(), another.keyPem(), "does not match the leaf"},
                {good.chainPem(), anotherEc.keyPem(), "not an RSA private key"},
                {expired.chainPem(), expired.keyPem(), "expired at"},
                {notYet.chainPem(), notYet.keyPem(), "not valid before"},
                {good.certPem(), good.keyPem(), "incomplete"},
                {good.certPem() + intPem, good.keyPem(), "incomplete"},
                {good.certPem() + rootPem + intPem, good.keyPem(), "is not issued by certificate 2"},
                {"garbage", good.keyPem(), "not PEM certificates"},
                {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", good.keyPem(),
                        "certificate 1 is not an X.509 certificate"},
                {good.keyPem() + good.chainPem(), good.keyPem(), "only CERTIFICATE blocks"},
                {String.join("", fifty), good.keyPem(), "50 certificates; at most 10"},
                {good.chainPem(), "not a key at all " + secretLine(good), "not one PEM private key"},
                {good.chainPem(), good.keyPem().replace("PRIVATE KEY", "RSA PRIVATE KEY"), "PKCS#8"},
                {good.chainPem(), "-----BEGIN PRIVATE KEY-----\n" + secretLine(good) + "\n-----END PRIVATE KEY-----",
                        "not an RSA private key"},
                {good.chainPem(), null, "key: required"},
                {null, good.keyPem(), "chain: required"},
                {othersHost.chainPem(), othersHost.keyPem(), "'other.cert.test' is claimed by another app"},
                {unclaimed.chainPem(), unclaimed.keyPem(), "'free.cert.test' is not a host of certbad"},
                {noSan.chainPem(), noSan.keyPem(), "names no host in subjectAltName"},
        };
        List<String> secrets = List.of(secretLine(good), secretLine(another), secretLine(expired), secretLine(othersHost));
        for (String[] bad : cases) {
            HttpResponse<String> response = upload("certbad", bad[0], bad[1], Map.of());
            JsonNode problem = assertProblem(response, 400);
            assertThat(problem.path("detail").asString()).as(bad[2]).contains(bad[2]);
            secrets.forEach(secret -> assertThat(response.body()).doesNotContain(secret));
        }
        // another app's default host, a host the leaf does not name, a silly HSTS
        Issued defaultOfOther = intermediate.issue("x", List.of("certother.localhost"), KeyType.EC);
        assertThat(assertProblem(upload("certbad", defaultOfOther.chainPem(), defaultOfOther.keyPem(), Map.of()), 400)
                .path("detail").asString()).contains("another app's default host");
        assertThat(assertProblem(upload("certbad", good.chainPem(), good.keyPem(),
                Map.of("hosts", List.of("other.cert.test"))), 400).path("detail").asString()).contains("not covered");
        assertThat(assertProblem(upload("certbad", good.chainPem(), good.keyPem(),
                Map.of("hstsMaxAgeSeconds", -1)), 400).path("detail").asString()).contains("hstsMaxAgeSeconds");

        // a body over the API's limit, and broken JSON carrying a key: refused without an echo of it
        assertProblem(upload("certbad", "x".repeat(70 * 1024), good.keyPem(), Map.of()), 413);
        HttpResponse<String> broken = send("PUT", "/api/v1/apps/certbad/certificates",
                "{\"chain\": 1, \"key\": \"" + good.keyPem().replace("\n", "\\n") + "\", ");
        assertProblem(broken, 400);
        assertThat(broken.body()).doesNotContain(secretLine(good));
        // nothing was stored by any of these
        assertThat(json.readTree(send("GET", "/api/v1/apps/certbad/certificates", null).body()).size()).isZero();
        assertThat(curator.checkExists().forPath(paths.certificate("bad.cert.test"))).isNull();
        // and the valid one is accepted, to show the cases above failed for their own reason
        assertThat(upload("certbad", good.chainPem(), good.keyPem(), Map.of()).statusCode()).isEqualTo(200);
        secrets.forEach(secret -> assertThat(output.getAll()).doesNotContain(secret));
        try {
            curator.getData().forPath(paths.certificate("other.cert.test"));
            throw new AssertionError("another app's host got a certificate");
        } catch (KeeperException.NoNodeException expectedAbsent) {
            // nothing written for it
        }
    }
}
