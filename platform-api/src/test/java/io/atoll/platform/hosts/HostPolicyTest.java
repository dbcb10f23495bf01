package io.atoll.platform.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HostPolicyTest {

    final HostPolicy policy = new HostPolicy(new HostProperties("localhost"));

    @ParameterizedTest
    @ValueSource(strings = {"shop.example.com", "*.example.com", "*.a.example.com", "xn--bcher-kva.example",
            "a-b.c0.example.co.uk", "*.example.co.uk", "intranet", "hello.localhost", "*.app.localhost",
            "a.b.c.d.e.f.example.com", "1a.example.com", "SHOP.Example.COM"})
    void claimable(String host) {
        HostName name = policy.check(host);
        assertThat(name.name()).isEqualTo(host.toLowerCase());
        assertThat(name.wildcard()).isEqualTo(host.startsWith("*."));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a b.com", " a.com", "a.com ", "a.com\t", "a.com\u0000", "a.com\n", "a_b.com",
            "a..com", ".a.com", "a.com.", "-a.com", "a-.com", "a.com:80", "a.com:", "[::1]", "::1", "fe80::1",
            "127.0.0.1", "10.0.0.1", "1.2.3.4", "0x7f.1", "2130706433", "localhost", "LOCALHOST", "*.localhost",
            "*.com", "*.co.uk", "*.github.io", "*.intranet", "com", "co.uk", "*", "*.", "**.a.com", "a.*.com",
            "*a.com", "a*.com", "bücher.example", "a.com/x", "a.com?x", "a.com#x", "user@a.com", "a%2ecom",
            "http://a.com", "a.com;x"})
    void refused(String host) {
        assertThatThrownBy(() -> policy.check(host)).isInstanceOf(HostPolicy.InvalidHostException.class);
    }

    @Test
    void lengthLimits() {
        String label63 = "a".repeat(63);
        assertThat(policy.check(label63 + ".example.com").name()).startsWith(label63);
        assertThatThrownBy(() -> policy.check("a".repeat(64) + ".example.com")).hasMessageContaining("63");
        String name253 = (label63 + ".").repeat(3) + "a".repeat(61);
        assertThat(name253).hasSize(253);
        policy.check(name253);
        assertThatThrownBy(() -> policy.check(name253 + "a")).hasMessageContaining("253");
        // the 319-character name of the report
        assertThatThrownBy(() -> policy.check("a".repeat(300) + ".example.com"))
                .isInstanceOf(HostPolicy.InvalidHostException.class);
    }

    @Test
    void aWildcardOverTheDefaultDomainIsRefused() {
        HostPolicy apps = new HostPolicy(new HostProperties("apps.example.com"));
        assertThatThrownBy(() -> apps.check("*.apps.example.com")).hasMessageContaining("default host");
        assertThatThrownBy(() -> apps.check("*.example.com")).hasMessageContaining("default host");
        assertThat(apps.check("*.shop.apps.example.com").wildcard()).isTrue();
        assertThat(apps.defaultHost("shop")).isEqualTo("shop.apps.example.com");
        assertThat(apps.defaultHostOwner(apps.check("shop.apps.example.com"))).hasValue("shop");
        assertThat(apps.defaultHostOwner(apps.check("a.shop.apps.example.com"))).isEmpty();
        assertThat(apps.defaultHostOwner(apps.check("*.shop.apps.example.com"))).isEmpty();
        assertThat(apps.defaultHostOwner(apps.check("example.com"))).isEmpty();
    }

    @Test
    void anInvalidDefaultDomainFailsAtStart() {
        assertThatThrownBy(() -> new HostPolicy(new HostProperties("bad domain")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void overlaps() {
        assertThat(overlaps("a.example.com", "a.example.com")).isTrue();
        assertThat(overlaps("a.example.com", "b.example.com")).isFalse();
        assertThat(overlaps("*.example.com", "a.example.com")).isTrue();
        assertThat(overlaps("*.example.com", "a.b.example.com")).isTrue();
        assertThat(overlaps("*.example.com", "example.com")).isFalse();
        assertThat(overlaps("*.example.com", "ample.com")).isFalse();
        assertThat(overlaps("*.example.com", "xexample.com")).isFalse();
        assertThat(overlaps("*.example.com", "*.a.example.com")).isTrue();
        assertThat(overlaps("*.example.com", "*.example.com")).isTrue();
        assertThat(overlaps("*.a.example.com", "*.b.example.com")).isFalse();
        assertThat(overlaps("*.a.example.com", "a.example.com")).isFalse();
    }

    boolean overlaps(String a, String b) {
        boolean result = policy.check(a).overlaps(policy.check(b));
        assertThat(policy.check(b).overlaps(policy.check(a))).as("symmetric").isEqualTo(result);
        return result;
    }
}
