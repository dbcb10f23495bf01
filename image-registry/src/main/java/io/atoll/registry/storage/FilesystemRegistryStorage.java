package io.atoll.registry.storage;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Registry storage in a directory tree, laid out like the reference registry's:
 * <pre>
 * blobs/sha256/ab/abcd…/data
 * uploads/{uuid}/data, uploads/{uuid}/repository
 * repositories/{name}/_manifests/revisions/sha256/{hex}/data, …/mediatype
 * repositories/{name}/_manifests/tags/{tag}/current
 * repositories/{name}/_layers/sha256/{hex}/link          the repository holds that blob
 * tmp/                      staging for atomic writes (same filesystem as everything else)
 * layout-version            "2" once the links exist (see BlobLinkMigration)
 * </pre>
 * Every visible file appears through a rename from {@code uploads/} or {@code tmp/}, so a
 * reader never sees a half-written blob, manifest or tag.
 */
public class FilesystemRegistryStorage implements RegistryStorage {

    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern HEX = Pattern.compile("[a-f0-9]{64}");
    private static final int BUFFER = 64 * 1024;

    private final Path root;
    private final Path blobs;
    private final Path uploads;
    private final Path repositories;
    private final Path tmp;

    public FilesystemRegistryStorage(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.blobs = this.root.resolve("blobs").resolve("sha256");
        this.uploads = this.root.resolve("uploads");
        this.repositories = this.root.resolve("repositories");
        this.tmp = this.root.resolve("tmp");
        try {
            for (Path dir : List.of(blobs, uploads, repositories, tmp)) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new StorageException("cannot create registry storage under " + this.root + ": " + e, e);
        }
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    public void verify() {
        Path probe = tmp.resolve("probe-" + UUID.randomUUID());
        byte[] content = new byte[64];
        new SecureRandom().nextBytes(content);
        try {
            Files.write(probe, content, StandardOpenOption.CREATE_NEW);
            if (!Arrays.equals(content, Files.readAllBytes(probe))) {
                throw new StorageException("storage probe under " + root + " read back different bytes");
            }
        } catch (IOException e) {
            throw new StorageException("storage under " + root + " is not writable/readable: " + e, e);
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException e) {
                throw new StorageException("cannot delete storage probe under " + root + ": " + e, e);
            }
        }
    }

    // ---- blobs

    private Path blobData(Digest digest) {
        return blobs.resolve(digest.hex().substring(0, 2)).resolve(digest.hex()).resolve("data");
    }

    @Override
    public Optional<BlobStat> statBlob(Digest digest) {
        try {
            return Optional.of(new BlobStat(digest, Files.size(blobData(digest))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw io("stat blob " + digest, e);
        }
    }

    @Override
    public Optional<InputStream> openBlob(Digest digest, long offset) {
        try {
            SeekableByteChannel channel = Files.newByteChannel(blobData(digest), StandardOpenOption.READ);
            channel.position(offset);
            return Optional.of(Channels.newInputStream(channel));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw io("open blob " + digest, e);
        }
    }

    @Override
    public Optional<Path> blobFile(Digest digest) {
        Path file = blobData(digest);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    @Override
    public boolean deleteBlob(Digest digest) {
        Path dir = blobData(digest).getParent();
        if (!Files.exists(dir)) {
            return false;
        }
        return renameAwayAndDelete(dir, "delete blob " + digest);
    }

    @Override
    public List<BlobEntry> listBlobs() {
        List<BlobEntry> result = new ArrayList<>();
        try (Stream<Path> prefixes = Files.list(blobs)) {
            for (Path prefix : prefixes.toList()) {
                try (Stream<Path> entries = Files.list(prefix)) {
                    for (Path dir : entries.toList()) {
                        String hex = dir.getFileName().toString();
                        if (!HEX.matcher(hex).matches()) {
                            continue;
                        }
                        try {
                            BasicFileAttributes attributes = Files.readAttributes(dir.resolve("data"), BasicFileAttributes.class);
                            result.add(new BlobEntry(new Digest(hex), attributes.size(), attributes.lastModifiedTime().toInstant()));
                        } catch (NoSuchFileException e) {
                            // deleted while listing
                        }
                    }
                } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
                    // a prefix directory removed or not a directory: nothing to list
                }
            }
        } catch (IOException e) {
            throw io("list blobs", e);
        }
        return result;
    }

    // ---- uploads

    private Path uploadDir(String uploadId) {
        if (uploadId == null || !UPLOAD_ID.matcher(uploadId).matches()) {
            throw new IllegalArgumentException("upload id must be a UUID");
        }
        return uploads.resolve(uploadId);
    }

    @Override
    public void createUpload(String uploadId, RepositoryName repository) {
        Path dir = uploadDir(uploadId);
        try {
            Files.createDirectory(dir);
            Files.writeString(dir.resolve("repository"), repository.value());
            Files.createFile(dir.resolve("data"));
        } catch (IOException e) {
            throw io("create upload", e);
        }
    }

    @Override
    public Optional<UploadStat> statUpload(String uploadId) {
        Path dir = uploadDir(uploadId);
        try {
            RepositoryName repository = new RepositoryName(Files.readString(dir.resolve("repository")));
            BasicFileAttributes attributes = Files.readAttributes(dir.resolve("data"), BasicFileAttributes.class);
            return Optional.of(new UploadStat(uploadId, repository, attributes.size(), attributes.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw io("stat upload", e);
        }
    }

    @Override
    public long appendUpload(String uploadId, InputStream data) {
        Path file = uploadDir(uploadId).resolve("data");
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = data.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (NoSuchFileException e) {
            throw new StorageException("upload " + uploadId + " vanished while appending", e);
        } catch (IOException e) {
            // Reads of the request body fail unchecked (see the caller), so this is our disk.
            throw io("append to upload " + uploadId, e);
        }
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw io("stat upload", e);
        }
    }

    @Override
    public InputStream openUpload(String uploadId) {
        try {
            return Files.newInputStream(uploadDir(uploadId).resolve("data"));
        } catch (IOException e) {
            throw io("open upload", e);
        }
    }

    @Override
    public void commitUpload(String uploadId, Digest digest) {
        Path target = blobData(digest);
        try {
            Files.createDirectories(target.getParent());
            // Same digest, same bytes: replacing a blob another upload just committed is harmless.
            Files.move(uploadDir(uploadId).resolve("data"), target,
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new StorageException("uploads/ and blobs/ must be on one filesystem under " + root, e);
        } catch (IOException e) {
            throw io("commit upload", e);
        }
        deleteUpload(uploadId);
    }

    @Override
    public void deleteUpload(String uploadId) {
        deleteTree(uploadDir(uploadId));
    }

    @Override
    public List<UploadStat> listUploads() {
        List<UploadStat> result = new ArrayList<>();
        try (Stream<Path> entries = Files.list(uploads)) {
            for (Path dir : entries.toList()) {
                String id = dir.getFileName().toString();
                if (UPLOAD_ID.matcher(id).matches()) {
                    statUpload(id).ifPresent(result::add);
                }
            }
        } catch (IOException e) {
            throw io("list uploads", e);
        }
        return result;
    }

    // ---- manifests and tags

    private Path manifestsDir(RepositoryName repository) {
        return repositories.resolve(repository.value()).resolve("_manifests");
    }

    private Path revisionDir(RepositoryName repository, Digest digest) {
        return manifestsDir(repository).resolve("revisions").resolve("sha256").resolve(digest.hex());
    }

    private Path tagFile(RepositoryName repository, String tag) {
        return manifestsDir(repository).resolve("tags").resolve(tag).resolve("current");
    }

    @Override
    public boolean repositoryExists(RepositoryName repository) {
        return Files.isDirectory(manifestsDir(repository));
    }

    @Override
    public Optional<StoredManifest> readManifest(RepositoryName repository, Digest digest) {
        Path dir = revisionDir(repository, digest);
        try {
            byte[] content = Files.readAllBytes(dir.resolve("data"));
            String mediaType = Files.readString(dir.resolve("mediatype")).trim();
            return Optional.of(new StoredManifest(digest, mediaType, content));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw io("read manifest " + digest, e);
        }
    }

    @Override
    public void writeManifest(RepositoryName repository, Digest digest, String mediaType, byte[] content) {
        Path target = revisionDir(repository, digest);
        if (Files.isDirectory(target)) {
            return;
        }
        Path staging = tmp.resolve("manifest-" + UUID.randomUUID());
        try {
            Files.createDirectory(staging);
            Files.write(staging.resolve("data"), content);
            Files.writeString(staging.resolve("mediatype"), mediaType, StandardCharsets.UTF_8);
            Files.createDirectories(target.getParent());
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            // A concurrent push of the same manifest won; its bytes are the same by digest.
            deleteTree(staging);
        } catch (IOException e) {
            deleteTree(staging);
            throw io("write manifest " + digest, e);
        }
    }

    @Override
    public List<Digest> listManifests(RepositoryName repository) {
        Path revisions = manifestsDir(repository).resolve("revisions").resolve("sha256");
        if (!Files.isDirectory(revisions)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(revisions)) {
            return entries.map(dir -> dir.getFileName().toString())
                    .filter(hex -> HEX.matcher(hex).matches())
                    .map(Digest::new)
                    .toList();
        } catch (IOException e) {
            throw io("list manifests", e);
        }
    }

    @Override
    public boolean deleteManifest(RepositoryName repository, Digest digest) {
        return renameAwayAndDelete(revisionDir(repository, digest), "delete manifest " + digest);
    }

    /**
     * Renamed away first, so that a reader sees either the whole thing or none of it.
     *
     * @return false when it was not there
     */
    private boolean renameAwayAndDelete(Path dir, String what) {
        Path staging = tmp.resolve("deleted-" + UUID.randomUUID());
        try {
            Files.move(dir, staging, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw io(what, e);
        }
        deleteTree(staging);
        return true;
    }

    @Override
    public boolean deleteRepository(RepositoryName repository) {
        Path dir = repositories.resolve(repository.value());
        boolean manifests = renameAwayAndDelete(dir.resolve("_manifests"), "delete repository " + repository);
        boolean links = renameAwayAndDelete(dir.resolve("_layers"), "delete repository " + repository);
        // Then the now empty directories of its name, up to (not including) the repositories root.
        for (Path empty = dir; !empty.equals(repositories); empty = empty.getParent()) {
            try {
                Files.deleteIfExists(empty);
            } catch (DirectoryNotEmptyException e) {
                break; // a repository nested under this name
            } catch (IOException e) {
                throw io("delete repository " + repository, e);
            }
        }
        return manifests || links;
    }

    @Override
    public List<RepositoryName> listRepositories() {
        List<RepositoryName> result = new ArrayList<>();
        try {
            Files.walkFileTree(repositories, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    String child = dir.getFileName().toString();
                    if (child.equals("_manifests")) {
                        result.add(repositoryOf(dir));
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    // One directory per blob the repository holds: nothing in there names a repository.
                    return child.equals("_layers") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw io("list repositories", e);
        }
        result.sort(Comparator.comparing(RepositoryName::value));
        return result;
    }

    @Override
    public boolean deleteTag(RepositoryName repository, String tag) {
        Path file = tagFile(repository, tag);
        try {
            boolean deleted = Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
            return deleted;
        } catch (DirectoryNotEmptyException e) {
            // A concurrent PUT re-created the tag: it stays.
            return true;
        } catch (IOException e) {
            throw io("delete tag " + tag, e);
        }
    }

    @Override
    public Optional<Digest> readTag(RepositoryName repository, String tag) {
        try {
            return Optional.of(Digest.parse(Files.readString(tagFile(repository, tag)).trim()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw io("read tag " + tag, e);
        }
    }

    @Override
    public void writeTag(RepositoryName repository, String tag, Digest digest) {
        Path target = tagFile(repository, tag);
        Path staging = tmp.resolve("tag-" + UUID.randomUUID());
        try {
            Files.writeString(staging, digest.toString());
            Files.createDirectories(target.getParent());
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteTree(staging);
            throw io("write tag " + tag, e);
        }
    }

    @Override
    public List<String> listTags(RepositoryName repository) {
        Path tags = manifestsDir(repository).resolve("tags");
        if (!Files.isDirectory(tags)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(tags)) {
            return entries.filter(dir -> Files.isRegularFile(dir.resolve("current")))
                    .map(dir -> dir.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw io("list tags", e);
        }
    }

    // ---- blob links

    private Path linkFile(RepositoryName repository, Digest digest) {
        return repositories.resolve(repository.value()).resolve("_layers").resolve("sha256").resolve(digest.hex()).resolve("link");
    }

    @Override
    public void linkBlob(RepositoryName repository, Digest digest) {
        Path target = linkFile(repository, digest);
        try {
            // Linked already: only its time is renewed (the grace period of garbage collection counts from it).
            Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
            return;
        } catch (NoSuchFileException e) {
            // not linked yet
        } catch (IOException e) {
            throw io("renew link of blob " + digest + " in " + repository, e);
        }
        Path staging = tmp.resolve("link-" + UUID.randomUUID());
        try {
            Files.writeString(staging, digest.toString());
            Files.createDirectories(target.getParent());
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteTree(staging);
            throw io("link blob " + digest + " into " + repository, e);
        }
    }

    @Override
    public boolean blobLinked(RepositoryName repository, Digest digest) {
        return Files.isRegularFile(linkFile(repository, digest));
    }

    @Override
    public boolean unlinkBlob(RepositoryName repository, Digest digest) {
        return renameAwayAndDelete(linkFile(repository, digest).getParent(), "unlink blob " + digest + " from " + repository);
    }

    @Override
    public List<BlobLink> listBlobLinks() {
        List<BlobLink> result = new ArrayList<>();
        try {
            Files.walkFileTree(repositories, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    String child = dir.getFileName().toString();
                    if (child.equals("_manifests")) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (!child.equals("_layers")) {
                        return FileVisitResult.CONTINUE;
                    }
                    RepositoryName repository = repositoryOf(dir);
                    Path links = dir.resolve("sha256");
                    if (Files.isDirectory(links)) {
                        try (Stream<Path> entries = Files.list(links)) {
                            for (Path entry : entries.toList()) {
                                String hex = entry.getFileName().toString();
                                if (!HEX.matcher(hex).matches()) {
                                    continue;
                                }
                                try {
                                    BasicFileAttributes link = Files.readAttributes(entry.resolve("link"), BasicFileAttributes.class);
                                    if (link.isRegularFile()) {
                                        result.add(new BlobLink(repository, new Digest(hex), link.lastModifiedTime().toInstant()));
                                    }
                                } catch (NoSuchFileException e) {
                                    // unlinked while listing
                                }
                            }
                        }
                    }
                    return FileVisitResult.SKIP_SUBTREE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw io("list blob links", e);
        }
        return result;
    }

    private RepositoryName repositoryOf(Path underscoreDir) {
        return new RepositoryName(repositories.relativize(underscoreDir.getParent()).toString().replace(java.io.File.separatorChar, '/'));
    }

    // ---- layout

    @Override
    public int layoutVersion() {
        try {
            return Integer.parseInt(Files.readString(root.resolve("layout-version")).trim());
        } catch (NoSuchFileException e) {
            return 1;
        } catch (IOException e) {
            throw io("read layout-version", e);
        } catch (NumberFormatException e) {
            throw new StorageException("storage: " + root.resolve("layout-version") + " is not a number", e);
        }
    }

    @Override
    public void writeLayoutVersion(int version) {
        Path staging = tmp.resolve("layout-" + UUID.randomUUID());
        try {
            Files.writeString(staging, Integer.toString(version));
            Files.move(staging, root.resolve("layout-version"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteTree(staging);
            throw io("write layout-version", e);
        }
    }

    private void deleteTree(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw io("delete " + root.relativize(path), e);
        }
    }

    private StorageException io(String what, IOException e) {
        return new StorageException("storage: cannot " + what + ": " + e, e);
    }

}
