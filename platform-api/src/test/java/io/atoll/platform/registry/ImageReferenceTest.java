package io.atoll.platform.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The reference grammar of Distribution's reference package, and which registries a deploy may name. */
class ImageReferenceTest {

    static final String SHA256 = "sha256:" + "0123456789abcdef".repeat(4);
    static final String SHA512 = "sha512:" + "0123456789abcdef".repeat(8);

    @Test
    void parsesTheFormsOfAReference() {
        assertThat(ImageReference.parse("hello")).isEqualTo(new ImageReference(null, "hello", "latest", null));
        assertThat(ImageReference.parse("hello:1.0_rc-2")).isEqualTo(new ImageReference(null, "hello", "1.0_rc-2", null));
        assertThat(ImageReference.parse("team/app__x.y-z:v1")).isEqualTo(new ImageReference(null, "team/app__x.y-z", "v1", null));
        assertThat(ImageReference.parse("hello@" + SHA256)).isEqualTo(new ImageReference(null, "hello", null, SHA256));
        assertThat(ImageReference.parse("hello:1@" + SHA512)).isEqualTo(new ImageReference(null, "hello", "1", SHA512));
        assertThat(ImageReference.parse("registry.example.com:5000/team/hello:1"))
                .isEqualTo(new ImageReference("registry.example.com:5000", "team/hello", "1", null));
        assertThat(ImageReference.parse("localhost/hello")).isEqualTo(new ImageReference("localhost", "hello", "latest", null));
        assertThat(ImageReference.parse("127.0.0.1:18999/x:1")).isEqualTo(new ImageReference("127.0.0.1:18999", "x", "1", null));
        assertThat(ImageReference.parse("[::1]:5000/x")).isEqualTo(new ImageReference("[::1]:5000", "x", "latest", null));
        assertThat(ImageReference.parse("Registry/x").registry()).isEqualTo("Registry");
        assertThat(ImageReference.parse("hello:" + "t".repeat(128)).tag()).hasSize(128);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "hello@sha256:short", "HELLO:demo", "hello:de mo", " hello:1", "hello:1 ",
            "hello:1\n", "hello:", "hello:-x", "hello:.x", "hello@", "hello@sha256:" + "AB0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd",
            "hello@sha256:" + "ab", "hello@sha512:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "hello@md5:0123456789abcdef0123456789abcdef", "hello@:abc", "/hello", "hello/", "hello//x", "-hello", "hello-",
            "hel..lo", "hel___lo", "hello:a/b", "host:99999/x", "host:0/x", "host:port/x", "ho_st.com/x", "http://host/x",
            "hello%00", "hello\u0000", "héllo", "a@b@" + "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
    void refusesWhatTheGrammarDoesNotAllow(String image) {
        assertThatThrownBy(() -> ImageReference.parse(image)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesTooLongNamesAndTags() {
        assertThatThrownBy(() -> ImageReference.parse("hello:" + "t".repeat(129))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImageReference.parse("a/".repeat(128) + "a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImageReference.parse("a".repeat(10_000))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyAtollsRegistryAndAllowedOnesMayBeNamed() {
        ImagePolicy policy = new ImagePolicy(new RegistryProperties(URI.create("http://10.0.0.5:5000"), "registry.atoll:5000",
                null, null, List.of("mirror.example.com", "Other.Example.com:8443")));
        assertThat(policy.check("hello:1").registry()).isNull();
        assertThat(policy.check("10.0.0.5:5000/hello:1").registry()).isEqualTo("10.0.0.5:5000");
        assertThat(policy.check("registry.atoll:5000/hello:1").registry()).isEqualTo("registry.atoll:5000");
        assertThat(policy.check("mirror.example.com/hello:1").registry()).isEqualTo("mirror.example.com");
        assertThat(policy.check("other.example.com:8443/hello:1").registry()).isEqualTo("other.example.com:8443");
        for (String refused : List.of("127.0.0.1:18999/x:1", "10.0.0.5/hello:1", "10.0.0.5:5001/hello:1",
                "mirror.example.com:443/hello:1", "other.example.com/hello:1", "docker.io/library/hello",
                "localhost/hello", "169.254.169.254/latest:1", "evil.example.com/x")) {
            assertThatThrownBy(() -> policy.check(refused)).as(refused)
                    .isInstanceOf(ImagePolicy.InvalidImageException.class)
                    .hasMessageContaining("not allowed");
        }
        assertThatThrownBy(() -> policy.check("HELLO:demo")).hasMessageContaining("not a valid image reference");
    }
}
