package io.atoll.build.source;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.command.AbstractCommandSupport;
import org.apache.sshd.server.command.CommandFactory;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A git server over ssh in the test's JVM, as a git host runs one: Apache MINA sshd (the same
 * library as JGit's client transport) with one host key, the user keys it lets in (as user {@code git}), and
 * {@code git-upload-pack '<path>'} answered by JGit's {@link UploadPack} on one repository.
 */
final class GitSshServer implements AutoCloseable {

    private final SshServer server;
    private final AtomicInteger logins = new AtomicInteger();

    /**
     * @param path the repository's path in URLs, e.g. {@code /acme/hello.git}
     * @param repository the repository served there (its .git directory or a bare one)
     */
    GitSshServer(KeyPair hostKey, List<PublicKey> userKeys, String path, Path repository) throws IOException {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> {
            boolean in = "git".equals(user) && userKeys.stream().anyMatch(k -> KeyUtils.compareKeys(k, key));
            if (in) {
                logins.incrementAndGet();
            }
            return in;
        });
        server.setCommandFactory(uploadPack(path, repository));
        server.start();
    }

    int port() {
        return server.getPort();
    }

    /** Users who got in with the key. */
    int logins() {
        return logins.get();
    }

    private static CommandFactory uploadPack(String path, Path repository) {
        return (channel, command) -> new AbstractCommandSupport(command, null) {
            @Override
            public void run() {
                List<String> args = CommandFactory.split(command);
                if (args.size() != 2 || !"git-upload-pack".equals(args.get(0)) || !path.equals(args.get(1))) {
                    try {
                        getErrorStream().write(("fatal: no repository at " + command + "\n").getBytes());
                        getErrorStream().flush();
                    } catch (IOException ignored) {
                        // the client went away
                    }
                    onExit(128);
                    return;
                }
                try (Repository repo = new FileRepositoryBuilder().setGitDir(repository.toFile()).setMustExist(true).build()) {
                    UploadPack pack = new UploadPack(repo);
                    // git protocol v2, as git hosts speak it, when the client asks for it
                    String protocol = getEnvironment().getEnv().get("GIT_PROTOCOL");
                    if (protocol != null) {
                        pack.setExtraParameters(Arrays.asList(protocol.split(":")));
                    }
                    pack.upload(getInputStream(), getOutputStream(), getErrorStream());
                    onExit(0);
                } catch (IOException e) {
                    onExit(1, e.getMessage());
                }
            }
        };
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
