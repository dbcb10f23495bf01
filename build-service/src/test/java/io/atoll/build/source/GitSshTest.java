package io.atoll.build.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.sshd.client.config.hosts.KnownHostHashValue;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.util.FS;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Checkouts over ssh from a real ssh git server in the test's JVM ({@link GitSshServer}: Apache
 * MINA sshd answering {@code git-upload-pack} with JGit), serving a repository made with JGit, with
 * keys and known_hosts generated here.
 */
class GitSshTest {

    private static final String PASSPHRASE = "correct horse battery staple";

    @TempDir
    static Path temp;

    static RevCommit first;
    static RevCommit second;
    static KeyPair hostKey;
    static KeyPair ed25519;
    static KeyPair rsa;
    static String ed25519Text;
    static String rsaPem;
    static GitSshServer server;
    static String url;

    @BeforeAll
    static void server() throws Exception {
        Path origin = temp.resolve("origin");
        try (Git git = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call()) {
            first = commit(git, "app.txt", "one");
            git.tag().setName("v1").setAnnotated(true).setMessage("release 1").setObjectId(first).call();
            second = commit(git, "app.txt", "two");
        }
        hostKey = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        ed25519 = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        rsa = KeyUtils.generateKeyPair("ssh-rsa", 2048);
        ed25519Text = openSsh(ed25519, PASSPHRASE);
        rsaPem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(rsa.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        server = new GitSshServer(hostKey, List.of(ed25519.getPublic(), rsa.getPublic()), "/acme/hello.git",
                origin.resolve(".git"));
        url = "ssh://git@127.0.0.1:" + server.port() + "/acme/hello.git";
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static RevCommit commit(Git git, String file, String content) throws Exception {
        Files.writeString(git.getRepository().getWorkTree().toPath().resolve(file), content);
        git.add().addFilepattern(file).call();
        return git.commit().setMessage(file + " " + content).setAuthor("ada", "ada@example.org")
                .setCommitter("ada", "ada@example.org").call();
    }

    /** The key as ssh-keygen writes it, encrypted with {@code passphrase} when there is one. */
    private static String openSsh(KeyPair key, String passphrase) throws Exception {
        OpenSSHKeyEncryptionContext encryption = null;
        if (passphrase != null) {
            encryption = new OpenSSHKeyEncryptionContext();
            encryption.setPassword(passphrase);
            encryption.setCipherName("AES");
            encryption.setCipherMode("CTR");
            encryption.setCipherType("256");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "deploy", encryption, out);
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** A known_hosts line for the test server, as ssh-keyscan would print it. */
    private static String knownHost(KeyPair key) {
        return "[127.0.0.1]:" + server.port() + " " + PublicKeyEntry.toString(key.getPublic()) + "\n";
    }

    private static SourceProperties.SshKey key(String prefix, String text, String passphrase) {
        return new SourceProperties.SshKey(prefix, text, passphrase);
    }

    private static GitSource source(List<SourceProperties.SshKey> keys, String knownHosts, Duration timeout) {
        return new GitSource(new SourceProperties.Git(List.of(), List.of(), timeout, true, keys, knownHosts),
                temp.resolve("workspaces"), false);
    }

    private static GitSource source(List<SourceProperties.SshKey> keys, String knownHosts) {
        return source(keys, knownHosts, Duration.ofMinutes(1));
    }

    private static GitSource trusted() {
        return source(List.of(key("ssh://git@127.0.0.1:", ed25519Text, PASSPHRASE)), knownHost(hostKey));
    }

    /** No line of either private key, nor the passphrase, anywhere in the exception or its causes. */
    private static void assertNoSecret(Throwable e) {
        List<String> secrets = new ArrayList<>(List.of(PASSPHRASE));
        Stream.of(ed25519Text, rsaPem).flatMap(String::lines).filter(l -> !l.startsWith("-----")).forEach(secrets::add);
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (String secret : secrets) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
            }
        }
    }

    @Test
    void aBranchATagAndACommitAreCheckedOutOverSshWithTheConfiguredKey() throws Exception {
        int logins = server.logins();
        try (Workspace ws = trusted().checkout(url, "main")) {
            assertThat(ws.revision()).isEqualTo(second.name());
            assertThat(ws.directory().resolve("app.txt")).hasContent("two");
        }
        try (Workspace ws = trusted().checkout(url, "v1")) {
            assertThat(ws.revision()).isEqualTo(first.name());
        }
        try (Workspace ws = trusted().checkout(url, first.name().substring(0, 10))) {
            assertThat(ws.revision()).isEqualTo(first.name());
            assertThat(ws.directory().resolve("app.txt")).hasContent("one");
        }
        assertThat(server.logins()).as("each checkout logs in with the key (ls-remote, fetch)").isGreaterThan(logins);
        assertThatThrownBy(() -> trusted().checkout(url, "no-such-branch"))
                .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.kind()).isEqualTo(SourceException.Kind.REFUSED))
                .hasMessageContaining("'no-such-branch' does not exist");
    }

    @Test
    void aPemRsaKeyAndAHashedKnownHostsLineWork() throws Exception {
        byte[] salt = new byte[20];
        new SecureRandom().nextBytes(salt);
        byte[] hash = KnownHostHashValue.calculateHashValue("127.0.0.1", server.port(), KnownHostHashValue.DEFAULT_DIGEST, salt);
        String hashed = KnownHostHashValue.append(new StringBuilder(), KnownHostHashValue.DEFAULT_DIGEST, salt, hash)
                + " " + PublicKeyEntry.toString(hostKey.getPublic());
        GitSource source = source(List.of(key(url, rsaPem, null)), "# ssh-keygen -H\n" + hashed + "\n");
        try (Workspace ws = source.checkout(url, "main")) {
            assertThat(ws.revision()).isEqualTo(second.name());
        }
    }

    /** The environment variables docs/build-service.md names, bound as Spring Boot binds them at start. */
    @Test
    void keysAndKnownHostsComeFromEnvironmentVariables() throws Exception {
        Map<String, Object> env = Map.of(
                "ATOLL_BUILD_GIT_SSHKEYS_0_URLPREFIX", url,
                "ATOLL_BUILD_GIT_SSHKEYS_0_PRIVATEKEY", ed25519Text,
                "ATOLL_BUILD_GIT_SSHKEYS_0_PASSPHRASE", PASSPHRASE,
                "ATOLL_BUILD_GIT_KNOWNHOSTS", "# test server\n" + knownHost(hostKey));
        SourceProperties properties = new Binder(ConfigurationPropertySources.from(
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env))).bindOrCreate("atoll.build", SourceProperties.class);
        assertThat(properties.git().sshKeys()).hasToString("[SshKey[urlPrefix=" + url + "]]");
        GitSource source = new GitSource(properties.git(), temp.resolve("workspaces"), false);
        try (Workspace ws = source.checkout(url, "main")) {
            assertThat(ws.revision()).isEqualTo(second.name());
        }
    }

    @Test
    void theLongestUrlPrefixGivesTheKey() throws Exception {
        KeyPair other = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        GitSource source = source(List.of(key("ssh://git@127.0.0.1:", openSsh(other, null), null),
                key("ssh://git@127.0.0.1:" + server.port() + "/acme/", ed25519Text, PASSPHRASE)), knownHost(hostKey));
        try (Workspace ws = source.checkout(url, "main")) {
            assertThat(ws.revision()).isEqualTo(second.name());
        }
    }

    /**
     * JGit's default ssh set-up would use the process user's ~/.ssh: here it holds the right key,
     * trusts the server and turns host key checking off, and none of it is used or changed.
     */
    @Test
    void aWrongKeyIsRefusedAndTheProcessUsersSshIsNeitherUsedNorChanged() throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        Path dotSsh = Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(dotSsh.resolve("id_ed25519"), openSsh(ed25519, null));
        Files.writeString(dotSsh.resolve("id_rsa"), rsaPem);
        Files.writeString(dotSsh.resolve("known_hosts"), knownHost(hostKey));
        Files.writeString(dotSsh.resolve("config"), "Host *\n  StrictHostKeyChecking no\n  IdentityFile ~/.ssh/id_ed25519\n");
        Map<String, String> before = contents(dotSsh);
        File previousHome = FS.DETECTED.userHome();
        String previousUserHome = System.getProperty("user.home");
        FS.DETECTED.setUserHome(home.toFile());
        System.setProperty("user.home", home.toString());
        try {
            KeyPair wrong = KeyUtils.generateKeyPair("ssh-ed25519", 256);
            String wrongText = openSsh(wrong, null);
            int logins = server.logins();
            assertThatThrownBy(() -> source(List.of(key(url, wrongText, null)), knownHost(hostKey)).checkout(url, "main"))
                    .isInstanceOfSatisfying(SourceException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SourceException.Kind.UNAVAILABLE);
                        assertNoSecret(e);
                        wrongText.lines().filter(l -> !l.startsWith("-----"))
                                .forEach(l -> assertThat(e.getMessage()).doesNotContain(l));
                    })
                    .hasMessageContaining("could not fetch " + url);
            assertThat(server.logins()).as("nobody got in").isEqualTo(logins);
            // and without known-hosts, ~/.ssh/known_hosts does not make the host known
            assertThatThrownBy(() -> trustedKeyOnly().checkout(url, "main")).hasMessageContaining("is unknown");
        } finally {
            FS.DETECTED.setUserHome(previousHome);
            System.setProperty("user.home", previousUserHome);
        }
        assertThat(contents(dotSsh)).as("~/.ssh unchanged").isEqualTo(before);
    }

    private static GitSource trustedKeyOnly() {
        return source(List.of(key(url, ed25519Text, PASSPHRASE)), "");
    }

    private static Map<String, String> contents(Path dir) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                files.put(p.getFileName().toString(), Files.readString(p));
            }
        }
        return files;
    }

    @Test
    void anUnknownHostKeyIsRefusedWithItsFingerprintAndTheKeyIsNeverOffered() throws Exception {
        int logins = server.logins();
        String fingerprint = KeyUtils.getFingerPrint(hostKey.getPublic());
        // nothing configured, and a key for this host on another port only
        for (String knownHosts : List.of("", "[127.0.0.1]:1 " + PublicKeyEntry.toString(hostKey.getPublic()))) {
            assertThatThrownBy(() -> source(List.of(key(url, ed25519Text, PASSPHRASE)), knownHosts).checkout(url, "main"))
                    .as(knownHosts)
                    .isInstanceOfSatisfying(SourceException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SourceException.Kind.UNAVAILABLE);
                        assertNoSecret(e);
                    })
                    .hasMessageContaining("the ssh host key of [127.0.0.1]:" + server.port())
                    .hasMessageContaining(fingerprint)
                    .hasMessageContaining("is unknown")
                    .hasMessageContaining("atoll.build.git.known-hosts");
        }
        assertThat(server.logins()).as("no login to a host not known").isEqualTo(logins);
        try (var left = Files.list(temp.resolve("workspaces"))) {
            assertThat(left.count()).as("refused checkouts delete their workspace").isZero();
        }
    }

    @Test
    void aChangedOrRevokedHostKeyIsRefused() throws Exception {
        int logins = server.logins();
        KeyPair impostor = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        assertThatThrownBy(() -> source(List.of(key(url, ed25519Text, PASSPHRASE)), knownHost(impostor)).checkout(url, "main"))
                .isInstanceOfSatisfying(SourceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SourceException.Kind.UNAVAILABLE);
                    assertNoSecret(e);
                })
                .hasMessageContaining("is not the one atoll.build.git.known-hosts has for this host")
                .hasMessageContaining(KeyUtils.getFingerPrint(hostKey.getPublic()))
                .hasMessageContaining(KeyUtils.getFingerPrint(impostor.getPublic()))
                .hasMessageContaining("has changed");
        assertThatThrownBy(() -> source(List.of(key(url, ed25519Text, PASSPHRASE)),
                knownHost(hostKey) + "@revoked " + knownHost(hostKey)).checkout(url, "main"))
                .hasMessageContaining("marked @revoked");
        assertThat(server.logins()).isEqualTo(logins);
    }

    @Test
    void sshWithoutAKeyForTheRepositoryIsRefusedBeforeAnyConnection() throws Exception {
        try (ServerSocket nobody = new ServerSocket(0)) {
            for (String repo : List.of("ssh://git@127.0.0.1:" + nobody.getLocalPort() + "/acme/hello.git",
                    "git@127.0.0.1:acme/hello.git")) {
                assertThatThrownBy(() -> source(List.of(key("ssh://git@git.example/", ed25519Text, PASSPHRASE)),
                        knownHost(hostKey)).checkout(repo, "main"))
                        .as(repo)
                        .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.kind()).isEqualTo(SourceException.Kind.REFUSED))
                        .hasMessageContaining("no ssh key for " + repo).hasMessageContaining("atoll.build.git.ssh-keys");
            }
            assertThatThrownBy(() -> source(List.of(), "").checkout("ssh://git:s3cret@127.0.0.1:" + nobody.getLocalPort() + "/a.git", "main"))
                    .hasMessageContaining("no ssh key for ssh://git:***@127.0.0.1:").hasMessageNotContaining("s3cret");
            nobody.setSoTimeout(200);
            assertThatThrownBy(nobody::accept).as("nothing connected").isInstanceOf(java.net.SocketTimeoutException.class);
        }
    }

    @Test
    void keysAndKnownHostsThatCannotBeReadStopTheStartWithoutShowingTheKey() {
        assertThatThrownBy(() -> source(List.of(key(url, ed25519Text, "Tr0ub4dor&3")), ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("atoll.build.git.ssh-keys[0].private-key could not be read")
                .satisfies(GitSshTest::assertNoSecret)
                .hasMessageNotContaining("Tr0ub4dor&3");
        assertThatThrownBy(() -> source(List.of(key(url, ed25519Text, null)), ""))
                .hasMessageContaining("encrypted without a passphrase").satisfies(GitSshTest::assertNoSecret);
        assertThatThrownBy(() -> source(List.of(key(url, "ssh-ed25519 AAAA not a private key", null)), ""))
                .hasMessageContaining("atoll.build.git.ssh-keys[0].private-key");
        assertThatThrownBy(() -> source(List.of(key("", ed25519Text, PASSPHRASE)), ""))
                .hasMessageContaining("url-prefix is required");
        assertThatThrownBy(() -> source(List.of(), "# ok\n" + knownHost(hostKey) + "127.0.0.1 ssh-ed25519 !!!\n"))
                .hasMessageContaining("atoll.build.git.known-hosts line 3");
        assertThatThrownBy(() -> source(List.of(), "@cert-authority *.example " + PublicKeyEntry.toString(hostKey.getPublic())))
                .hasMessageContaining("@cert-authority");
    }

    @Test
    void aSilentSshServerTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            String repo = "ssh://git@127.0.0.1:" + silent.getLocalPort() + "/acme/hello.git";
            long start = System.nanoTime();
            assertThatThrownBy(() -> source(List.of(key(repo, ed25519Text, PASSPHRASE)), knownHost(hostKey),
                    Duration.ofSeconds(1)).checkout(repo, "main"))
                    .isInstanceOfSatisfying(SourceException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SourceException.Kind.UNAVAILABLE);
                        assertNoSecret(e);
                    })
                    .hasMessageContaining("127.0.0.1:" + silent.getLocalPort());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            Thread.sleep(200);
            assertThat(Thread.currentThread().isInterrupted())
                    .as("the deadline's interrupt does not outlive the checkout").isFalse();
        }
    }

    @Test
    void aCancelledCheckoutOverSshStopsWithInterruptedException() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            String repo = "ssh://git@127.0.0.1:" + silent.getLocalPort() + "/acme/hello.git";
            GitSource source = source(List.of(key(repo, ed25519Text, PASSPHRASE)), knownHost(hostKey), Duration.ofMinutes(2));
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread build = new Thread(() -> {
                try {
                    source.checkout(repo, "main").close();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            build.start();
            Thread.sleep(500);
            long start = System.nanoTime();
            build.interrupt();
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class)
                    .hasMessageContaining("cancelled");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
