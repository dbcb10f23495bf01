package io.atoll.build.hook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignaturesTest {

    /** GitHub's own example ("Validating webhook deliveries"): our check accepts what GitHub sends. */
    @Test
    void acceptsGithubsDocumentedExampleAndNothingElse() {
        byte[] payload = "Hello, World!".getBytes(StandardCharsets.UTF_8);
        String secret = "It's a Secret to Everybody";
        String header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

        assertThat(Signatures.validSha256(header, secret, payload)).isTrue();
        assertThat(Signatures.validSha256(header.toUpperCase().replace("SHA256=", "sha256="), secret, payload)).isTrue();
        assertThat(Signatures.validSha256(header, secret + " ", payload)).isFalse();
        assertThat(Signatures.validSha256(header, "", payload)).as("no secret configured").isFalse();
        assertThat(Signatures.validSha256(header.replace("e17", "e18"), secret, payload)).isFalse();
    }

    @Test
    void tokensMatchOnlyExactly() {
        assertThat(Signatures.sameToken("s3cret", "s3cret")).isTrue();
        assertThat(Signatures.sameToken("s3cre", "s3cret")).isFalse();
        assertThat(Signatures.sameToken("s3cret ", "s3cret")).isFalse();
        assertThat(Signatures.sameToken("", "")).as("no token configured").isFalse();
        assertThat(Signatures.sameToken(null, "s3cret")).isFalse();
    }
}
