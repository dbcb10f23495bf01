package io.atoll.registry.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"hello", "library/hello", "a/b/c", "my-app", "my__app", "my.app", "a--b", "0", "demo/hello-world.v2"})
    void acceptsTheSpecGrammar(String name) {
        assertThat(new RepositoryName(name).value()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../x", "a/../b", "..", "/abs", "a/", "UPPER", "a___b", "a.-b", "-a", "a-", "_a", "a//b",
            "a/_manifests", "a b", "a%2fb", "a\\b"})
    void refusesEverythingElse(String name) {
        assertThatThrownBy(() -> new RepositoryName(name))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID));
    }

    @ParameterizedTest
    @ValueSource(strings = {".hidden", "-x", "a/b", "tag:1"})
    void refusesBadTags(String tag) {
        assertThatThrownBy(() -> Reference.validTag(tag)).isInstanceOf(RegistryException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:ABC", "sha512:" + "a", "sha256:" + "g", "md5:1234"})
    void refusesBadDigests(String digest) {
        assertThatThrownBy(() -> Reference.parse(digest))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
    }
}
