package io.atoll.build.source;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * ssh repositories through JGit's Apache MINA sshd transport, from configuration only: the private
 * key by URL prefix ({@code atoll.build.git.ssh-keys}) and the trusted host keys
 * ({@code atoll.build.git.known-hosts}). Left to itself, JGit's {@link SshdSessionFactory} reads the
 * process user's {@code ~/.ssh} (config, keys, known_hosts, to which it also adds hosts) and
 * asks an ssh-agent; each of those is replaced here, so a build-service running as someone with
 * keys of their own never uses them.
 */
final class GitSsh {

    private static final String KEYS = "atoll.build.git.ssh-keys";
    private static final String KNOWN_HOSTS = "atoll.build.git.known-hosts";

    private final List<Key> keys;
    private final List<KnownHost> knownHosts;
    private final File home;

    /**
     * @param home given to JGit as the user's home and never created: nothing is read from it or
     *     written to it, it only keeps JGit away from the process user's
     * @throws IllegalArgumentException a key or a known_hosts line that cannot be read, saying which
     *     (never with the key's text)
     */
    GitSsh(SourceProperties.Git properties, Path home) {
        this.home = home.toFile();
        List<Key> parsed = new ArrayList<>();
        for (int i = 0; i < properties.sshKeys().size(); i++) {
            parsed.add(Key.parse(properties.sshKeys().get(i), KEYS + "[" + i + "]"));
        }
        this.keys = List.copyOf(parsed);
        this.knownHosts = KnownHost.parse(properties.knownHosts());
    }

    /**
     * The key whose {@code url-prefix} is the longest that {@code repository} starts with.
     *
     * @throws SourceException refused: no key is for this repository
     */
    KeyPair key(String repository) throws SourceException {
        return keys.stream().filter(k -> repository.startsWith(k.urlPrefix()))
                .max(Comparator.comparingInt(k -> k.urlPrefix().length())).map(Key::pair)
                .orElseThrow(() -> SourceException.refused("no ssh key for " + GitSource.redact(repository)
                        + ": none of " + KEYS + " has a url-prefix it starts with"));
    }

    /**
     * The connection set-up for one checkout of {@code repository}: its own session factory, so that
     * a refused host key is told to this checkout alone.
     */
    Session session(String repository) throws SourceException {
        return new Session(key(repository));
    }

    /** Every line of the configured keys and passphrases, for scrubbing messages. */
    List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        for (Key key : keys) {
            secrets.addAll(key.secrets());
        }
        return secrets;
    }

    /** Configures JGit's ssh transports with the checkout's key and host keys; close it afterwards. */
    final class Session implements TransportConfigCallback, ServerKeyDatabase, AutoCloseable {

        private final SshdSessionFactory factory;
        private volatile String refusal;

        private Session(KeyPair key) {
            this.factory = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(home)
                    .setSshDirectory(new File(home, ".ssh"))
                    // no ssh config file (its IdentityFile, UserKnownHostsFile, StrictHostKeyChecking)
                    .setConfigStoreFactory((homeDir, configFile, user) -> null)
                    .setDefaultKeysProvider(sshDir -> List.of(key))
                    .setDefaultIdentities(sshDir -> List.of())
                    .setDefaultKnownHostsFiles(sshDir -> List.of())
                    .setServerKeyDatabase((homeDir, sshDir) -> this)
                    // no ssh-agent: SSH_AUTH_SOCK is the process user's
                    .setConnectorFactory(null)
                    // the key only: no password prompts, and no GSSAPI with the user's Kerberos tickets
                    .setPreferredAuthentications("publickey")
                    .build(new JGitKeyCache());
        }

        @Override
        public void configure(Transport transport) {
            if (transport instanceof SshTransport ssh) {
                ssh.setSshSessionFactory(factory);
            }
        }

        /** Why the host's key was refused, when it was. */
        Optional<String> refusal() {
            return Optional.ofNullable(refusal);
        }

        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            HostPort host = HostPort.parse(connectAddress);
            return knownHosts.stream().filter(k -> !k.revoked() && k.matches(host)).map(KnownHost::key).toList();
        }

        /** Strict whatever the ssh config would say: only a key listed for the host, never one added. */
        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                Configuration config, CredentialsProvider provider) {
            HostPort host = HostPort.parse(connectAddress);
            List<KnownHost> listed = knownHosts.stream().filter(k -> k.matches(host)).toList();
            String presented = describe(serverKey);
            if (listed.stream().anyMatch(k -> k.revoked() && KeyUtils.compareKeys(k.key(), serverKey))) {
                refusal = "the ssh host key of " + connectAddress + " (" + presented + ") is marked @revoked in "
                        + KNOWN_HOSTS + "; refused";
                return false;
            }
            List<KnownHost> trusted = listed.stream().filter(k -> !k.revoked()).toList();
            if (trusted.stream().anyMatch(k -> KeyUtils.compareKeys(k.key(), serverKey))) {
                return true;
            }
            refusal = trusted.isEmpty()
                    ? "the ssh host key of " + connectAddress + " (" + presented + ") is unknown: "
                            + KNOWN_HOSTS + " has no key for this host; refused. Add the host's key there once "
                            + "its fingerprint is checked against the one its owner publishes"
                    : "the ssh host key of " + connectAddress + " (" + presented + ") is not the one "
                            + KNOWN_HOSTS + " has for this host ("
                            + trusted.stream().map(k -> describe(k.key())).collect(Collectors.joining(", "))
                            + "); refused: the host's key has changed, or this is not that host";
            return false;
        }

        @Override
        public void close() {
            factory.close();
        }
    }

    private static String describe(PublicKey key) {
        return KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
    }

    private record Key(String urlPrefix, KeyPair pair, List<String> secrets) {

        static Key parse(SourceProperties.SshKey key, String name) {
            if (key.urlPrefix() == null || key.urlPrefix().isBlank()) {
                throw new IllegalArgumentException(name + ".url-prefix is required");
            }
            if (key.privateKey() == null || key.privateKey().isBlank()) {
                throw new IllegalArgumentException(name + ".private-key is required");
            }
            boolean passphrase = key.passphrase() != null && !key.passphrase().isEmpty();
            Iterable<KeyPair> pairs;
            try {
                pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(name + ".private-key"),
                        new ByteArrayInputStream(key.privateKey().getBytes(StandardCharsets.UTF_8)),
                        passphrase ? FilePasswordProvider.of(key.passphrase()) : FilePasswordProvider.EMPTY);
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                // The parsers' messages may quote what they read: only the kind of failure is told.
                throw new IllegalArgumentException(name + ".private-key could not be read ("
                        + e.getClass().getSimpleName() + "): "
                        + (passphrase ? "a wrong passphrase, or " : "encrypted without a passphrase configured, or ")
                        + "not an OpenSSH or PEM private key of a type sshd knows (RSA, ECDSA, Ed25519)");
            }
            KeyPair pair = pairs == null ? null : pairs.iterator().hasNext() ? pairs.iterator().next() : null;
            if (pair == null) {
                throw new IllegalArgumentException(name + ".private-key holds no OpenSSH or PEM private key");
            }
            List<String> secrets = new ArrayList<>();
            key.privateKey().lines().map(String::strip).filter(l -> l.length() >= 16 && !l.startsWith("-----"))
                    .forEach(secrets::add);
            if (passphrase) {
                secrets.add(key.passphrase());
            }
            return new Key(key.urlPrefix(), pair, List.copyOf(secrets));
        }
    }

    /** A host and port as JGit names them to the key database: {@code host}, or {@code [host]:port}. */
    private record HostPort(String host, int port) {

        static HostPort parse(String address) {
            int close = address.lastIndexOf("]:");
            if (address.startsWith("[") && close > 0) {
                try {
                    return new HostPort(address.substring(1, close), Integer.parseInt(address.substring(close + 2)));
                } catch (NumberFormatException e) {
                    return new HostPort(address, 22);
                }
            }
            return new HostPort(address, 22);
        }
    }

    private record KnownHost(KnownHostEntry entry, PublicKey key, boolean revoked) {

        boolean matches(HostPort host) {
            return entry.isHostMatch(host.host(), host.port());
        }

        static List<KnownHost> parse(String text) {
            List<KnownHost> hosts = new ArrayList<>();
            List<String> lines = text.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String where = KNOWN_HOSTS + " line " + (i + 1);
                KnownHostEntry entry;
                PublicKey key;
                try {
                    entry = KnownHostEntry.parseKnownHostEntry(line);
                    key = entry == null ? null : entry.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
                } catch (IOException | GeneralSecurityException | RuntimeException e) {
                    throw new IllegalArgumentException(where + " is not a known_hosts line (<hosts> <key type> <base64 key>): "
                            + e.getMessage());
                }
                if (key == null) {
                    throw new IllegalArgumentException(where + " has no key");
                }
                String marker = entry.getMarker();
                if ("cert-authority".equals(marker)) {
                    throw new IllegalArgumentException(where + ": @cert-authority (host certificates) is not supported");
                }
                if (marker != null && !"revoked".equals(marker)) {
                    throw new IllegalArgumentException(where + ": unknown marker @" + marker);
                }
                hosts.add(new KnownHost(entry, key, marker != null));
            }
            return List.copyOf(hosts);
        }
    }
}
