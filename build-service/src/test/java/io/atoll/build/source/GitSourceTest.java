package io.atoll.build.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real repositories made with JGit in a temporary directory, checked out over {@code file://}.
 * No smart-HTTP server: JGit's GitServlet would need an embedded servlet container of its own.
 */
class GitSourceTest {

    @TempDir
    static Path temp;

    static Path allowed;
    static Path origin;
    static String url;
    static RevCommit first;
    static RevCommit second;
    static RevCommit feature;

    @BeforeAll
    static void repository() throws Exception {
        allowed = Files.createDirectories(temp.resolve("repos"));
        origin = allowed.resolve("hello");
        try (Git git = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call()) {
            first = commit(git, "app.txt", "one");
            git.tag().setName("v1").setAnnotated(true).setMessage("release 1").setObjectId(first).call();
            second = commit(git, "app.txt", "two");
            git.checkout().setCreateBranch(true).setName("feature").setStartPoint(first).call();
            feature = commit(git, "feature.txt", "new");
            git.checkout().setName("main").call();
        }
        url = origin.toUri().toString();
    }

    private static RevCommit commit(Git git, String file, String content) throws Exception {
        Files.writeString(git.getRepository().getWorkTree().toPath().resolve(file), content);
        git.add().addFilepattern(file).call();
        return git.commit().setMessage(file + " " + content).setAuthor("ada", "ada@example.org")
                .setCommitter("ada", "ada@example.org").call();
    }

    private GitSource source(List<String> roots, boolean dev) {
        return new GitSource(new SourceProperties.Git(roots, List.of(), Duration.ofMinutes(1), true, List.of(), ""),
                temp.resolve("workspaces"), dev);
    }

    private GitSource source() {
        return source(List.of(allowed.toString()), false);
    }

    @Test
    void aBranchIsCheckedOutAtItsTipShallowly() throws Exception {
        try (Workspace ws = source().checkout(url, "main")) {
            assertThat(ws.revision()).isEqualTo(second.name());
            assertThat(ws.directory().resolve("app.txt")).hasContent("two");
            assertThat(ws.directory().resolve("feature.txt")).doesNotExist();
            try (Git git = Git.open(ws.directory().toFile())) {
                assertThat(StreamSupport.stream(git.log().call().spliterator(), false).count())
                        .as("depth 1: only the commit asked for").isEqualTo(1);
            }
        }
    }

    @Test
    void anotherBranchAndAFullRefName() throws Exception {
        try (Workspace ws = source().checkout(url, "feature")) {
            assertThat(ws.revision()).isEqualTo(feature.name());
            assertThat(ws.directory().resolve("feature.txt")).hasContent("new");
            assertThat(ws.directory().resolve("app.txt")).hasContent("one");
        }
        try (Workspace ws = source().checkout(url, "refs/heads/feature")) {
            assertThat(ws.revision()).isEqualTo(feature.name());
        }
    }

    @Test
    void anAnnotatedTagGivesTheCommitItPointsAt() throws Exception {
        try (Workspace ws = source().checkout(url, "v1")) {
            assertThat(ws.revision()).isEqualTo(first.name());
            assertThat(ws.directory().resolve("app.txt")).hasContent("one");
        }
    }

    @Test
    void aFullOrShortCommitIdIsCheckedOutExactly() throws Exception {
        try (Workspace ws = source().checkout(url, first.name())) {
            assertThat(ws.revision()).isEqualTo(first.name());
            assertThat(ws.directory().resolve("app.txt")).hasContent("one");
        }
        try (Workspace ws = source().checkout(url, feature.name().substring(0, 8).toUpperCase())) {
            assertThat(ws.revision()).isEqualTo(feature.name());
        }
    }

    @Test
    void anUnknownRefIsRefusedByNameAndLeavesNoWorkspace() throws Exception {
        assertThatThrownBy(() -> source().checkout(url, "no-such-branch"))
                .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.kind()).isEqualTo(SourceException.Kind.REFUSED))
                .hasMessageContaining("'no-such-branch' does not exist");
        assertThatThrownBy(() -> source().checkout(url, "0123456789abcdef0123456789abcdef01234567"))
                .isInstanceOf(SourceException.class)
                .hasMessageContaining("'0123456789abcdef0123456789abcdef01234567' does not exist");
        try (var left = Files.list(temp.resolve("workspaces"))) {
            assertThat(left.count())
                    .as("failed checkouts delete their workspace").isZero();
        }
    }

    @Test
    void closingTheWorkspaceDeletesIt() throws Exception {
        Workspace ws = source().checkout(url, "main");
        assertThat(ws.directory()).isDirectory();
        ws.close();
        assertThat(ws.directory()).doesNotExist();
    }

    @Test
    void fileRepositoriesOutsideTheAllowedRootsAreRefused() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("elsewhere"));
        try (Git git = Git.init().setDirectory(outside.resolve("secret").toFile()).call()) {
            commit(git, "key", "s3cr3t");
        }
        String outsideUrl = outside.resolve("secret").toUri().toString();
        assertThatThrownBy(() -> source().checkout(outsideUrl, "master"))
                .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("allowed-file-roots");
        // .. out of an allowed root, and a symbolic link in it pointing out
        assertThatThrownBy(() -> source().checkout("file://" + allowed + "/../elsewhere/secret", "master"))
                .hasMessageContaining("allowed-file-roots");
        Path link = Files.createSymbolicLink(allowed.resolve("link"), outside.resolve("secret"));
        assertThatThrownBy(() -> source().checkout(link.toUri().toString(), "master"))
                .hasMessageContaining("allowed-file-roots");
        // no roots configured: every file:// is refused, but in dev
        assertThatThrownBy(() -> source(List.of(), false).checkout(url, "main"))
                .hasMessageContaining("none configured");
        try (Workspace ws = source(List.of(), true).checkout(outsideUrl, "master")) {
            assertThat(ws.directory().resolve("key")).hasContent("s3cr3t");
        }
    }

    @Test
    void whatIsNotARepositoryUrlIsRefused() {
        for (String bad : List.of(origin.toString(), "ext::sh -c id", "file://otherhost/srv/repo", "")) {
            assertThatThrownBy(() -> source().checkout(bad, "main")).as(bad)
                    .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.kind()).isEqualTo(SourceException.Kind.REFUSED));
        }
    }

    @Test
    void sshWithNoKeyConfiguredIsRefusedByName() {
        // checkouts over ssh itself: GitSshTest
        for (String ssh : List.of("ssh://git@git.example/acme/hello.git", "git@git.example:acme/hello.git")) {
            assertThatThrownBy(() -> source().checkout(ssh, "main")).as(ssh)
                    .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.kind()).isEqualTo(SourceException.Kind.REFUSED))
                    .hasMessageContaining("no ssh key for " + ssh);
        }
    }

    @Test
    void aSilentServerTimesOutAndNoPasswordIsShown() throws IOException {
        try (ServerSocket silent = new ServerSocket(0)) {
            String repo = "http://ada:pa55word@127.0.0.1:" + silent.getLocalPort() + "/hello.git";
            GitSource source = new GitSource(new SourceProperties.Git(List.of(), List.of(
                    new SourceProperties.Credential("http://127.0.0.1:", "ada", "t0ken-value")),
                    Duration.ofSeconds(1), true, List.of(), ""), temp.resolve("workspaces"), false);
            long start = System.nanoTime();
            assertThatThrownBy(() -> source.checkout(repo, "main"))
                    .isInstanceOfSatisfying(SourceException.class, e -> assertThat(e.kind()).isEqualTo(SourceException.Kind.UNAVAILABLE))
                    .hasMessageContaining("127.0.0.1:" + silent.getLocalPort())
                    .hasMessageNotContaining("pa55word").hasMessageNotContaining("t0ken-value");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }
}
