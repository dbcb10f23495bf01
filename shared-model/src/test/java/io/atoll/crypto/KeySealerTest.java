package io.atoll.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atoll.json.JsonCodec;
import io.atoll.model.HostCertificate;
import io.atoll.model.KeyEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeySealerTest {

    private static final byte[] SECRET = "-----BEGIN PRIVATE KEY-----\nMIIEvQ...\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void sealedKeyOpensWithTheSameKeyAndContextOnlyAndHoldsNoClearText() {
        String key = KeySealer.generateKey();
        KeySealer sealer = KeySealer.of("atoll.test.key", key);
        KeyEnvelope envelope = sealer.seal(SECRET, "shop.example.com");

        assertThat(envelope.alg()).isEqualTo("A256GCM");
        assertThat(envelope.keyId()).isEqualTo(sealer.keyId()).hasSize(16);
        assertThat(Base64.getDecoder().decode(envelope.iv())).hasSize(12);
        assertThat(new String(Base64.getDecoder().decode(envelope.ciphertext()), StandardCharsets.ISO_8859_1))
                .doesNotContain("PRIVATE KEY");
        assertThat(KeySealer.of("x", key).open(envelope, "shop.example.com")).isEqualTo(SECRET);
        // two seals of the same secret differ: a fresh nonce each time
        assertThat(sealer.seal(SECRET, "shop.example.com").ciphertext()).isNotEqualTo(envelope.ciphertext());

        assertThatThrownBy(() -> sealer.open(envelope, "other.example.com"))
                .isInstanceOf(KeySealer.SealException.class).hasMessageContaining("another host");
        assertThatThrownBy(() -> KeySealer.of("x", KeySealer.generateKey()).open(envelope, "shop.example.com"))
                .isInstanceOf(KeySealer.SealException.class).hasMessageContaining("not configured here");
        String flipped = Base64.getEncoder().encodeToString(flipFirstBit(Base64.getDecoder().decode(envelope.ciphertext())));
        assertThatThrownBy(() -> sealer.open(new KeyEnvelope(envelope.alg(), envelope.keyId(), envelope.iv(), flipped),
                "shop.example.com")).isInstanceOf(KeySealer.SealException.class);
    }

    @Test
    void aRotatedKeyStillOpensWhatTheOldOneSealed() {
        String old = KeySealer.generateKey();
        KeyEnvelope before = KeySealer.of("k", old).seal(SECRET, "h");
        KeySealer rotated = new KeySealer("k", List.of(KeySealer.generateKey(), old));
        assertThat(rotated.open(before, "h")).isEqualTo(SECRET);
        assertThat(rotated.seal(SECRET, "h").keyId()).isNotEqualTo(before.keyId());
    }

    @Test
    void badKeysAreRefusedNamingThePropertyNotTheValue() {
        assertThatThrownBy(() -> KeySealer.of("atoll.x.encryption-key", null)).hasMessageContaining("atoll.x.encryption-key is required");
        assertThatThrownBy(() -> KeySealer.of("atoll.x.encryption-key", "not base64!!"))
                .hasMessageContaining("not base64").hasMessageNotContaining("!!");
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> KeySealer.of("atoll.x.encryption-key", shortKey))
                .hasMessageContaining("16 bytes").hasMessageNotContaining(shortKey);
    }

    @Test
    void withoutAKeyOnlyDevStartsAndItUsesTheSharedDevKey() {
        KeySealer dev = KeySealer.fromConfiguration("atoll.x.key", " ", List.of(), true, "to do x");
        assertThat(dev.keyId()).isEqualTo(KeySealer.of("k", KeySealer.DEV_KEY).keyId());
        assertThatThrownBy(() -> KeySealer.fromConfiguration("atoll.x.key", null, List.of(), false, "to do x"))
                .hasMessageStartingWith("atoll.x.key is required to do x");
        String old = KeySealer.generateKey();
        KeyEnvelope sealed = KeySealer.of("k", old).seal(SECRET, "h");
        assertThat(KeySealer.fromConfiguration("k", KeySealer.generateKey(), List.of(old), false, "")
                .open(sealed, "h")).isEqualTo(SECRET);
    }

    @Test
    void aHostCertificateRoundTripsThroughTheZooKeeperCodecAndPrintsNoSecret() {
        KeySealer sealer = KeySealer.of("k", KeySealer.generateKey());
        HostCertificate value = new HostCertificate("shop", "*.shop.example.com", "-----BEGIN CERTIFICATE-----\n",
                sealer.seal(SECRET, "*.shop.example.com"), Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2027-01-01T00:00:00Z"), "AB:CD", true, 31536000, 42);
        JsonCodec codec = JsonCodec.shared();
        assertThat(codec.decode(codec.encode(value), HostCertificate.class)).isEqualTo(value);
        assertThat(value.toString()).doesNotContain(value.key().ciphertext()).doesNotContain("BEGIN");
    }

    private static byte[] flipFirstBit(byte[] bytes) {
        bytes[0] ^= 1;
        return bytes;
    }
}
