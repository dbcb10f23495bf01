package io.atoll.build.source;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.EmptyProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * Checks a git repository out at a branch, tag or commit into a fresh {@link Workspace} with JGit.
 *
 * <p>A {@code file://} repository must lie inside {@code atoll.build.git.allowed-file-roots}
 * (after symbolic links are followed): the repository a webhook names is untrusted, and must not
 * make build-service read arbitrary local paths. ssh repositories go through {@link GitSsh}, with a
 * key and host keys from the configuration only. Submodules are not fetched.
 */
public class GitSource {

    private static final Pattern REMOTE = Pattern.compile("(?i)(?:https?|ssh|git)://[^\\s]+");
    private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\\s]+");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-fA-F]{7,40}");
    private static final Pattern USER_INFO = Pattern.compile("(?i)(?<=://)(?<!ssh://)[^/@\\s]+@");
    private static final Pattern SSH_PASSWORD = Pattern.compile("(?i)(?<=ssh://[^/@:\\s]{1,256}):[^/@\\s]*@");
    private static final String FETCHED = "refs/atoll/source";

    private final SourceProperties.Git properties;
    private final Path workspaceRoot;
    private final boolean anyFileRoot;
    private final List<Path> allowedFileRoots;
    private final GitSsh ssh;

    /**
     * @param dev the {@code dev} profile: with no allowed roots configured, any {@code file://} path
     *     is taken (script/server's local repositories)
     * @throws IllegalArgumentException an ssh key or known_hosts line that cannot be read
     */
    public GitSource(SourceProperties.Git properties, Path workspaceRoot, boolean dev) {
        this.properties = properties;
        this.workspaceRoot = workspaceRoot;
        this.anyFileRoot = dev && properties.allowedFileRoots().isEmpty();
        this.allowedFileRoots = properties.allowedFileRoots().stream().map(GitSource::realPath).toList();
        this.ssh = new GitSsh(properties, workspaceRoot.resolve(".ssh-home-unused"));
    }

    /**
     * Checks {@code repository} out at {@code ref}: a branch, a tag, a full ref name
     * ({@code refs/heads/main}) or a commit id (full, or abbreviated to at least 7 digits).
     *
     * @return the workspace holding the work tree; its revision is the exact commit id
     * @throws SourceException refused (a path outside the allowed roots, an ssh repository without a
     *     key, a ref that does not exist), or the repository could not be read (unreachable, refused
     *     credentials, an ssh host key not in known-hosts, timed out)
     * @throws InterruptedException when the calling thread was interrupted (a cancelled build)
     */
    public Workspace checkout(String repository, String ref) throws SourceException, InterruptedException {
        checkRepository(repository);
        if (ref == null || ref.isBlank()) {
            throw SourceException.refused("a ref (branch, tag or commit) is required");
        }
        Deadline deadline = new Deadline(properties.cloneTimeout());
        Path directory;
        try {
            directory = Workspace.create(workspaceRoot);
        } catch (IOException e) {
            throw new SourceException(SourceException.Kind.UNAVAILABLE, "could not create a workspace: " + e.getMessage(), e);
        }
        boolean done = false;
        GitSsh.Session session = null;
        try (Git git = Git.init().setDirectory(directory.toFile()).setInitialBranch("main").call()) {
            if (isSsh(repository)) {
                session = ssh.session(repository);
                deadline.interruptAtDeadline();
            }
            RevCommit commit = fetch(git, repository, ref, deadline, session);
            git.checkout().setName(commit.name()).setProgressMonitor(deadline).call();
            deadline.check(repository);
            done = true;
            return new Workspace(directory, commit.name());
        } catch (GitAPIException | IOException | JGitInternalException e) {
            deadline.check(repository);
            if (interrupted(e)) {
                // sshd takes the interrupt and answers with an InterruptedIOException
                throw new InterruptedException("checkout of " + redact(repository) + " cancelled");
            }
            Optional<String> hostKey = session == null ? Optional.empty() : session.refusal();
            if (hostKey.isPresent()) {
                throw new SourceException(SourceException.Kind.UNAVAILABLE,
                        "could not fetch " + redact(repository) + ": " + hostKey.get());
            }
            throw unavailable(repository, e);
        } finally {
            deadline.finish();
            if (session != null) {
                session.close();
            }
            if (!done) {
                Workspace.delete(directory);
            }
        }
    }

    private RevCommit fetch(Git git, String repository, String ref, Deadline deadline, TransportConfigCallback ssh)
            throws GitAPIException, IOException, SourceException, InterruptedException {
        CredentialsProvider credentials = ssh != null ? null : credentials(repository).orElse(null);
        Map<String, Ref> advertised = Git.lsRemoteRepository().setRemote(repository)
                .setCredentialsProvider(credentials).setTransportConfigCallback(ssh)
                .setTimeout(deadline.ioSeconds()).callAsMap();
        deadline.check(repository);
        String wanted = ref.startsWith("refs/") ? (advertised.containsKey(ref) ? ref : null)
                : advertised.containsKey("refs/heads/" + ref) ? "refs/heads/" + ref
                : advertised.containsKey("refs/tags/" + ref) ? "refs/tags/" + ref
                : null;
        Repository local = git.getRepository();
        ObjectId id;
        if (wanted != null) {
            FetchCommand fetch = fetchCommand(git, repository, credentials, ssh, deadline)
                    .setRefSpecs(new RefSpec("+" + wanted + ":" + FETCHED)).setTagOpt(TagOpt.NO_TAGS);
            if (properties.shallow()) {
                fetch.setDepth(1);
            }
            fetch.call();
            deadline.check(repository);
            id = local.exactRef(FETCHED).getObjectId();
        } else if (COMMIT.matcher(ref).matches()) {
            // A server need not allow fetching a commit it does not advertise, so the branches and
            // tags are fetched whole and the commit looked up among them.
            fetchCommand(git, repository, credentials, ssh, deadline)
                    .setRefSpecs(new RefSpec("+refs/heads/*:refs/remotes/origin/*"), new RefSpec("+refs/tags/*:refs/tags/*"))
                    .call();
            deadline.check(repository);
            id = commitById(local, ref, repository);
        } else {
            throw SourceException.refused("ref '" + ref + "' does not exist in " + redact(repository)
                    + " (no such branch or tag)");
        }
        try (RevWalk walk = new RevWalk(local)) {
            return walk.parseCommit(id);
        } catch (IncorrectObjectTypeException e) {
            throw SourceException.refused("ref '" + ref + "' in " + redact(repository) + " is not a commit");
        }
    }

    private FetchCommand fetchCommand(Git git, String repository, CredentialsProvider credentials,
            TransportConfigCallback ssh, Deadline deadline) {
        return git.fetch().setRemote(repository).setCredentialsProvider(credentials).setTransportConfigCallback(ssh)
                .setTimeout(deadline.ioSeconds()).setProgressMonitor(deadline);
    }

    private static ObjectId commitById(Repository local, String ref, String repository) throws IOException, SourceException {
        try (ObjectReader reader = local.newObjectReader()) {
            // A full id "resolves" to itself whether or not the object is there.
            Collection<ObjectId> found = reader.resolve(AbbreviatedObjectId.fromString(ref.toLowerCase()))
                    .stream().filter(id -> hasObject(reader, id)).toList();
            if (found.size() > 1) {
                throw SourceException.refused("commit '" + ref + "' is ambiguous in " + redact(repository)
                        + "; give more digits");
            }
            if (found.isEmpty()) {
                throw SourceException.refused("ref '" + ref + "' does not exist in " + redact(repository)
                        + " (no such branch, tag, or commit on a branch or tag)");
            }
            return found.iterator().next();
        }
    }

    private static boolean hasObject(ObjectReader reader, ObjectId id) {
        try {
            return reader.has(id);
        } catch (IOException e) {
            return false;
        }
    }

    /** Refuses what must not be fetched before anything is touched. */
    void checkRepository(String repository) throws SourceException {
        if (repository == null || repository.isBlank() || repository.length() > 2048) {
            throw SourceException.refused("a repository URL is required");
        }
        if (repository.regionMatches(true, 0, "file:", 0, 5)) {
            checkFileRepository(repository);
        } else if (isSsh(repository)) {
            ssh.key(repository);
        } else if (!REMOTE.matcher(repository).matches()) {
            throw SourceException.refused(
                    "repository must be a file://, http(s)://, ssh:// or git:// URL, or user@host:path");
        }
    }

    private static boolean isSsh(String repository) {
        return repository.regionMatches(true, 0, "ssh://", 0, 6) || SCP_LIKE.matcher(repository).matches();
    }

    /** A cancel that a library caught and turned into an I/O error (not a read timeout, which has no such cause). */
    private static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    private void checkFileRepository(String repository) throws SourceException {
        Path path;
        try {
            URI uri = new URI(repository);
            if (uri.getAuthority() != null && !uri.getAuthority().equalsIgnoreCase("localhost")) {
                throw SourceException.refused("a file:// repository must be on this machine (file:///path)");
            }
            path = Path.of(uri.getPath()).toAbsolutePath().normalize();
        } catch (java.net.URISyntaxException | InvalidPathException | NullPointerException e) {
            throw SourceException.refused("repository is not a valid file:// URL");
        }
        if (anyFileRoot) {
            return;
        }
        String refusal = "file:// repositories are only taken from atoll.build.git.allowed-file-roots"
                + (allowedFileRoots.isEmpty() ? " (none configured)" : "");
        if (!inAllowedRoot(path)) {
            throw SourceException.refused(refusal);
        }
        // A symbolic link inside an allowed root may point out of it.
        if (Files.exists(path) && !inAllowedRoot(realPath(path.toString()))) {
            throw SourceException.refused(refusal);
        }
    }

    private boolean inAllowedRoot(Path path) {
        return allowedFileRoots.stream().anyMatch(path::startsWith);
    }

    private static Path realPath(String root) {
        Path path = Path.of(root).toAbsolutePath().normalize();
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path;
        }
    }

    Optional<CredentialsProvider> credentials(String repository) {
        return properties.credentials().stream()
                .filter(c -> c.urlPrefix() != null && !c.urlPrefix().isEmpty() && repository.startsWith(c.urlPrefix()))
                .max(Comparator.comparingInt(c -> c.urlPrefix().length()))
                .map(c -> new UsernamePasswordCredentialsProvider(c.username() == null ? "" : c.username(),
                        c.password() == null ? "" : c.password()));
    }

    private SourceException unavailable(String repository, Exception e) {
        String why = e instanceof InvalidRemoteException ? "no git repository there" : e.getMessage();
        return new SourceException(SourceException.Kind.UNAVAILABLE,
                "could not fetch " + redact(repository) + ": " + redactSecrets(String.valueOf(why)));
    }

    /**
     * Drops user information (which may hold a token) from a URL before it is shown anywhere; of
     * an ssh URL, only a password (its user, often {@code git}, is no secret).
     */
    static String redact(String repository) {
        return USER_INFO.matcher(SSH_PASSWORD.matcher(repository).replaceFirst(":***@")).replaceFirst("***@");
    }

    private String redactSecrets(String message) {
        String result = USER_INFO.matcher(SSH_PASSWORD.matcher(message).replaceAll(":***@")).replaceAll("***@");
        List<String> secrets = new ArrayList<>();
        for (SourceProperties.Credential c : properties.credentials()) {
            if (c.password() != null && !c.password().isEmpty()) {
                secrets.add(c.password());
            }
        }
        secrets.addAll(ssh.secrets());
        for (String secret : secrets) {
            result = result.replace(secret, "***");
        }
        return result;
    }

    /**
     * The clone timeout over fetch and checkout together, and the build's cancel: JGit asks its
     * progress monitor whether to stop between packets, while each network read is bounded by the
     * transport's own timeout.
     */
    private static final class Deadline extends EmptyProgressMonitor {

        private final Duration timeout;
        private final long end;
        private final Thread owner = Thread.currentThread();
        private boolean finished;
        private boolean interruptedAtDeadline;

        Deadline(Duration timeout) {
            this.timeout = timeout;
            this.end = System.nanoTime() + timeout.toNanos();
        }

        /**
         * Interrupts the checkout's thread once the deadline is past. For ssh, whose login JGit
         * bounds with sshd's own authentication timeout (2 minutes) rather than the transport's:
         * a server that accepts the connection and says nothing would otherwise hold the build.
         */
        void interruptAtDeadline() {
            CompletableFuture.runAsync(this::interruptOwner,
                    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS));
        }

        private synchronized void interruptOwner() {
            if (!finished) {
                interruptedAtDeadline = true;
                owner.interrupt();
            }
        }

        /** Ends the deadline's interrupt, and takes back one it made that nothing has seen yet. */
        synchronized void finish() {
            finished = true;
            if (interruptedAtDeadline) {
                Thread.interrupted();
            }
        }

        private synchronized boolean interruptedAtDeadline() {
            return interruptedAtDeadline;
        }

        /**
         * Rounded up, so that a read that times out is one past the deadline (a read timeout
         * interrupts the reading thread, and must not be taken for a cancel).
         */
        int ioSeconds() {
            long left = (end - System.nanoTime() + 999_999_999L) / 1_000_000_000L;
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
        }

        boolean expired() {
            return System.nanoTime() - end >= 0;
        }

        @Override
        public boolean isCancelled() {
            return expired() || Thread.currentThread().isInterrupted();
        }

        void check(String repository) throws SourceException, InterruptedException {
            if (Thread.interrupted() && !interruptedAtDeadline()) {
                throw new InterruptedException("checkout of " + redact(repository) + " cancelled");
            }
            if (expired()) {
                throw new SourceException(SourceException.Kind.UNAVAILABLE,
                        "checkout of " + redact(repository) + " did not finish within " + timeout);
            }
        }
    }
}
