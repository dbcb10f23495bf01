package io.atoll.platform.security;

import io.atoll.platform.testing.Slapd;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The team rules against a real OpenLDAP {@code slapd} (Testcontainers, {@code atoll/slapd:local}
 * built from Debian's packages) serving the same users and groups as the API suite's embedded
 * directory. platform-api searches as the directory's manager and checks each password by binding
 * as the user, as it would against a production directory.
 */
// Not the suite's inline properties: they start the embedded directory. A database of its own.
@TestPropertySource(inheritProperties = false, properties = {
        "atoll.platform.node-lost-grace=1h",
        "spring.datasource.url=jdbc:h2:mem:platform-api-slapd;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000",
        "atoll.platform.security.ldap.enabled=true"})
class TeamAccessSlapdTest extends TeamAccessContract {

    static final Slapd slapd = new Slapd().withLdifResource("ldap/test-directory.ldif");

    static {
        slapd.start(); // fails loudly without a Docker engine or the image: never skipped
    }

    @DynamicPropertySource
    static void directory(DynamicPropertyRegistry properties) {
        properties.add("spring.ldap.urls", slapd::url);
        properties.add("spring.ldap.base", slapd::baseDn);
        properties.add("spring.ldap.username", slapd::managerDn);
        properties.add("spring.ldap.password", slapd::managerPassword);
    }
}
