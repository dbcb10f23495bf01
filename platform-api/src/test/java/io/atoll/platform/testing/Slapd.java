package io.atoll.platform.testing;

import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A real OpenLDAP slapd from {@code atoll/slapd:local} (script/lib/images.sh builds it from
 * Debian's packages): suffix {@link #baseDn()} with the cosine, inetorgperson and nis schemas,
 * rootdn {@link #managerDn()}. The LDIFs given before {@code start()} are loaded in the order
 * given; unless one of them has the suffix's entry, the image adds it with {@code ou=people} and
 * {@code ou=groups}. Users bind with their {@code userPassword}, plain or {@code {SSHA}}; every
 * entry but passwords is readable by anyone.
 * <pre>
 * try (Slapd ldap = new Slapd().withLdifResource("ldap/test-directory.ldif")) {
 *     ldap.start();
 *     ... ldap.url(), ldap.baseDn(), ldap.managerDn(), ldap.managerPassword()
 * }
 * </pre>
 */
public class Slapd extends GenericContainer<Slapd> {

    public static final DockerImageName IMAGE = DockerImageName.parse("atoll/slapd:local");
    private static final int PORT = 389;

    private String baseDn = "dc=atoll,dc=test";
    private String managerPassword = "admin";
    private int ldifs;

    public Slapd() {
        super(IMAGE);
        withExposedPorts(PORT);
        // a search of the root DSE over TCP answers once slapd serves
        waitingFor(Wait.forSuccessfulCommand("ldapsearch -x -H ldap://127.0.0.1 -b '' -s base -LLL dn")
                .withStartupTimeout(Duration.ofSeconds(30)));
    }

    /** Another suffix than {@code dc=atoll,dc=test}. */
    public Slapd withBaseDn(String baseDn) {
        this.baseDn = baseDn;
        return this;
    }

    public Slapd withManagerPassword(String managerPassword) {
        this.managerPassword = managerPassword;
        return this;
    }

    /** Entries to load, as LDIF text. */
    public Slapd withLdif(String ldif) {
        return withCopyToContainer(Transferable.of(ldif), nextLdifPath());
    }

    /** Entries to load, from an LDIF file on the classpath. */
    public Slapd withLdifResource(String resource) {
        return withCopyToContainer(MountableFile.forClasspathResource(resource), nextLdifPath());
    }

    // The image loads /ldif/*.ldif in name order: the order they were given in.
    private String nextLdifPath() {
        return "/ldif/%03d.ldif".formatted(++ldifs);
    }

    @Override
    protected void configure() {
        withEnv("LDAP_BASE_DN", baseDn);
        withEnv("LDAP_ADMIN_PASSWORD", managerPassword);
    }

    /** {@code ldap://localhost:<port>}, the mapped port of this started server. */
    public String url() {
        return "ldap://" + getHost() + ":" + getMappedPort(PORT);
    }

    public String baseDn() {
        return baseDn;
    }

    /** The rootdn: binds as it pass every access rule. */
    public String managerDn() {
        return "cn=admin," + baseDn;
    }

    public String managerPassword() {
        return managerPassword;
    }
}
