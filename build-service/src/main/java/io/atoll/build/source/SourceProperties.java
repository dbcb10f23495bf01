package io.atoll.build.source;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The source settings under {@code atoll.build}: {@code git.*}, {@code upload.*} and
 * {@code workspace-dir}; docs/build-service.md ("Sources") has the table.
 *
 * @param workspaceDir where each build's checkout or upload is unpacked, in a fresh directory
 *     deleted after the build; empty means the system's temporary directory
 * @param git git checkouts
 * @param upload uploaded tarballs
 */
@ConfigurationProperties("atoll.build")
public record SourceProperties(@DefaultValue("") String workspaceDir, @DefaultValue Git git,
        @DefaultValue Upload upload) {

    /**
     * @param allowedFileRoots the directories {@code file://} repositories may be in; empty refuses
     *     every {@code file://} repository, except in the {@code dev} profile
     * @param credentials username and password (or token) by repository URL prefix
     * @param cloneTimeout how long a checkout may take, fetch and checkout together
     * @param shallow fetch only the commit asked for (depth 1) when it is a branch or tag
     * @param sshKeys private keys for ssh repositories by repository URL prefix
     * @param knownHosts the ssh host keys trusted, as lines of OpenSSH's known_hosts; an ssh host
     *     whose key is not there is refused
     */
    public record Git(List<String> allowedFileRoots, List<Credential> credentials,
            @DefaultValue("5m") Duration cloneTimeout, @DefaultValue("true") boolean shallow,
            List<SshKey> sshKeys, @DefaultValue("") String knownHosts) {

        public Git {
            allowedFileRoots = allowedFileRoots == null ? List.of() : List.copyOf(allowedFileRoots);
            credentials = credentials == null ? List.of() : List.copyOf(credentials);
            sshKeys = sshKeys == null ? List.of() : List.copyOf(sshKeys);
            knownHosts = knownHosts == null ? "" : knownHosts;
            if (cloneTimeout.isNegative() || cloneTimeout.isZero()) {
                throw new IllegalArgumentException("atoll.build.git.clone-timeout must be positive");
            }
        }
    }

    /**
     * @param urlPrefix the repositories these credentials are for, e.g. {@code https://git.example/acme/}
     * @param username the user name (for a token, whatever the server expects, often the token's owner)
     * @param password the password or token; never logged or returned
     */
    public record Credential(String urlPrefix, String username, String password) {

        @Override
        public String toString() {
            return "Credential[urlPrefix=" + urlPrefix + ", username=" + username + "]";
        }
    }

    /**
     * @param urlPrefix the repositories this key is for, e.g. {@code ssh://git@git.example/acme/} or
     *     {@code git@git.example:acme/}
     * @param privateKey the private key as text, OpenSSH ({@code BEGIN OPENSSH PRIVATE KEY}) or PEM;
     *     never logged or returned
     * @param passphrase the key's passphrase, when it is encrypted; never logged or returned
     */
    public record SshKey(String urlPrefix, String privateKey, String passphrase) {

        @Override
        public String toString() {
            return "SshKey[urlPrefix=" + urlPrefix + "]";
        }
    }

    /**
     * @param maxEntries the most entries (files, directories) an uploaded tarball may hold
     * @param maxBytes the most bytes it may unpack to, counted after decompression
     * @param maxUploadBytes the most bytes an upload may have as sent (compressed)
     */
    public record Upload(@DefaultValue("20000") int maxEntries, @DefaultValue("536870912") long maxBytes,
            @DefaultValue("268435456") long maxUploadBytes) {

        public Upload {
            if (maxEntries < 1 || maxBytes < 1 || maxUploadBytes < 1) {
                throw new IllegalArgumentException("atoll.build.upload.max-entries, max-bytes and max-upload-bytes must be positive");
            }
        }
    }
}
