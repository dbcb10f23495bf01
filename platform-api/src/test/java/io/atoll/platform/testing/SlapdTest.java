package io.atoll.platform.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The slapd image serves what the LDAP tests need: binds with plain and {SSHA} passwords, groups. */
class SlapdTest {

    static final String ALICE = "uid=alice,ou=people,dc=atoll,dc=test";
    static final String BOB = "uid=bob,ou=people,dc=atoll,dc=test";
    static Slapd slapd;

    @BeforeAll
    static void start() throws Exception {
        // people as text, teams from the classpath (after them: a member must exist first)
        slapd = new Slapd().withLdif("""
                dn: %s
                objectClass: inetOrgPerson
                uid: alice
                cn: Alice
                sn: Test
                userPassword: alice-secret

                dn: %s
                objectClass: inetOrgPerson
                uid: bob
                cn: Bob
                sn: Test
                userPassword: %s
                """.formatted(ALICE, BOB, ssha("bob-secret", "salt1234")))
                .withLdifResource("testing/slapd-teams.ldif");
        slapd.start();
    }

    @AfterAll
    static void stop() {
        slapd.stop();
    }

    @Test
    void usersBindWithTheirPasswordPlainOrSshaAndNotWithAnother() throws Exception {
        try (LDAPConnection alice = connect()) {
            assertThat(alice.bind(ALICE, "alice-secret").getResultCode()).isEqualTo(ResultCode.SUCCESS);
        }
        try (LDAPConnection bob = connect()) {
            assertThat(bob.bind(BOB, "bob-secret").getResultCode()).isEqualTo(ResultCode.SUCCESS);
        }
        for (String[] wrong : new String[][] {{ALICE, "bob-secret"}, {BOB, "{SSHA}bob-secret"},
                {"uid=nobody,ou=people,dc=atoll,dc=test", "alice-secret"}}) {
            try (LDAPConnection connection = connect()) {
                assertThatThrownBy(() -> connection.bind(wrong[0], wrong[1])).as(wrong[0])
                        .isInstanceOfSatisfying(LDAPException.class,
                                e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.INVALID_CREDENTIALS));
            }
        }
    }

    @Test
    void aUsersGroupsAreFoundByMember() throws Exception {
        try (LDAPConnection bob = connect()) {
            bob.bind(BOB, "bob-secret");
            assertThat(groupsOf(bob, BOB)).containsExactlyInAnyOrder("team-a", "team-b");
            assertThat(groupsOf(bob, ALICE)).containsExactly("team-a");
        }
    }

    @Test
    void theManagerReadsPasswordsAndNobodyElseDoes() throws Exception {
        Filter alice = Filter.createEqualityFilter("uid", "alice");
        try (LDAPConnection manager = connect()) {
            manager.bind(slapd.managerDn(), slapd.managerPassword());
            assertThat(manager.searchForEntry(slapd.baseDn(), SearchScope.SUB, alice, "userPassword")
                    .getAttributeValue("userPassword")).isEqualTo("alice-secret");
        }
        try (LDAPConnection bob = connect()) {
            bob.bind(BOB, "bob-secret");
            SearchResultEntry entry = bob.searchForEntry(slapd.baseDn(), SearchScope.SUB, alice, "cn", "userPassword");
            assertThat(entry.getAttributeValue("cn")).isEqualTo("Alice");
            assertThat(entry.hasAttribute("userPassword")).isFalse();
        }
        try (LDAPConnection wrong = connect()) {
            assertThatThrownBy(() -> wrong.bind(slapd.managerDn(), "not-" + slapd.managerPassword()))
                    .isInstanceOf(LDAPException.class);
        }
    }

    private static List<String> groupsOf(LDAPConnection connection, String user) throws LDAPException {
        return connection.search("ou=groups," + slapd.baseDn(), SearchScope.SUB,
                        Filter.createEqualityFilter("member", user), "cn")
                .getSearchEntries().stream().map(entry -> entry.getAttributeValue("cn")).toList();
    }

    private static LDAPConnection connect() throws LDAPException {
        LDAPURL url = new LDAPURL(slapd.url());
        return new LDAPConnection(url.getHost(), url.getPort());
    }

    /** {SSHA}: base64 of SHA-1(password + salt) followed by the salt, as slappasswd writes it. */
    private static String ssha(String password, String salt) throws Exception {
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        sha1.update(password.getBytes(StandardCharsets.UTF_8));
        sha1.update(salt.getBytes(StandardCharsets.UTF_8));
        byte[] digest = sha1.digest();
        byte[] hashAndSalt = Arrays.copyOf(digest, digest.length + salt.length());
        System.arraycopy(salt.getBytes(StandardCharsets.UTF_8), 0, hashAndSalt, digest.length, salt.length());
        return "{SSHA}" + Base64.getEncoder().encodeToString(hashAndSalt);
    }
}
