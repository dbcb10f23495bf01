package io.atoll.registry.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.atoll.registry.RegistryProperties;
import io.atoll.registry.TestFiles;
import io.atoll.registry.blob.BlobService;
import io.atoll.registry.blob.ReferenceLock;
import io.atoll.registry.blob.UploadService;
import io.atoll.registry.manifest.ManifestService;
import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.Reference;
import io.atoll.registry.oci.RepositoryName;
import io.atoll.registry.storage.FilesystemRegistryStorage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * Garbage collection against the links that uploads and mounts write. The race tests start the
 * push on another thread at the worst moment, right after the collection listed the blobs, and let
 * the collection go on once that thread has either finished or is waiting for the reference lock
 * ({@link ReferenceLock}). Without the lock the push completes inside the collection, which then
 * deletes what the push was just told it has. The others show the grace period counting from a
 * blob's newest link as well as from its commit.
 */
class LinkGcRaceTest {

    static final String OCI_MANIFEST = ManifestService.OCI_MANIFEST;
    static final RepositoryName A = new RepositoryName("team-a/app");
    static final RepositoryName B = new RepositoryName("team-b/app");

    /** Runs a hook once, right after the collection has listed the blobs (inside the collection). */
    static class HookedStorage extends FilesystemRegistryStorage {
        volatile Runnable afterListBlobs;

        HookedStorage(Path root) {
            super(root);
        }

        @Override
        public List<BlobEntry> listBlobs() {
            List<BlobEntry> result = super.listBlobs();
            Runnable hook = afterListBlobs;
            afterListBlobs = null;
            if (hook != null) {
                hook.run();
            }
            return result;
        }
    }

    @TempDir
    Path dir;

    HookedStorage storage;
    UploadService uploads;
    BlobService blobs;
    ManifestService manifests;
    GarbageCollector gc;

    @BeforeEach
    void registry() {
        storage = new HookedStorage(dir);
        ReferenceLock references = new ReferenceLock();
        uploads = new UploadService(storage, references, new SimpleMeterRegistry());
        blobs = new BlobService(storage, references);
        manifests = new ManifestService(storage, blobs, references, JsonMapper.builder().build(),
                new RegistryProperties(new RegistryProperties.Storage(RegistryProperties.StorageType.FILESYSTEM, dir, null),
                        new RegistryProperties.Uploads(Duration.ofHours(1), Duration.ofHours(1)), 4 << 20,
                        new RegistryProperties.Http(false, DataSize.ofKilobytes(64))));
        gc = new GarbageCollector(storage, manifests, Duration.ofHours(1), Clock.systemUTC(), new SimpleMeterRegistry());
    }

    /**
     * team-a pushed a layer long ago and deleted its manifest since; the collection lists it as
     * garbage, and team-b then uploads the same bytes (201). team-b's blob survives the collection
     * and its manifest PUT succeeds.
     */
    @Test
    void aBlobUploadedAgainDuringACollectionSurvivesIt() throws Exception {
        byte[] layerBytes = TestFiles.randomBytes(4000);
        Digest layer = upload(A, layerBytes);
        age(layer);

        AtomicReference<FutureTask<Digest>> push = new AtomicReference<>();
        storage.afterListBlobs = () -> push.set(startAndLetItBlock(() -> upload(B, layerBytes)));
        GcReport report = gc.collect(false);
        assertThat(push.get().get(10, TimeUnit.SECONDS)).isEqualTo(layer);

        assertThat(report.blobsDeleted()).as("team-a's old copy").isEqualTo(1);
        assertThat(blobs.held(B, layer)).as("the blob team-b's upload was just told was created").isTrue();
        assertThat(blobs.held(A, layer)).isFalse();
        Digest config = upload(B, "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8));
        manifests.put(B, Reference.parse("1"), OCI_MANIFEST, manifest(config, layer));
    }

    /** A mount from a repository whose old, unreferenced blob the collection deletes leaves no link to nothing. */
    @Test
    void aMountDuringACollectionLeavesNoDanglingLink() throws Exception {
        Digest layer = upload(A, TestFiles.randomBytes(4000));
        age(layer);

        AtomicReference<FutureTask<Boolean>> mount = new AtomicReference<>();
        storage.afterListBlobs = () -> mount.set(startAndLetItBlock(() -> blobs.mount(A, B, layer)));
        assertThat(gc.collect(false).blobsDeleted()).isEqualTo(1);

        assertThat(mount.get().get(10, TimeUnit.SECONDS)).as("mounted a blob the collection deleted").isFalse();
        assertThat(storage.statBlob(layer)).isEmpty();
        assertThat(storage.blobLinked(B, layer)).as("a link to a collected blob").isFalse();
        assertThat(storage.listBlobLinks()).isEmpty();
    }

    /**
     * Without a collection in between: an old, unreferenced blob mounted into another repository is
     * kept for the grace period from the mount, so the manifest that follows the mount finds it.
     */
    @Test
    void anOldBlobMountedJustNowIsKeptUntilItsManifestArrives() throws Exception {
        Digest layer = upload(A, TestFiles.randomBytes(4000));
        Digest config = upload(A, "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8));
        age(layer);
        age(config);
        assertThat(blobs.mount(A, B, layer)).isTrue();
        assertThat(blobs.mount(A, B, config)).isTrue();

        GcReport report = gc.collect(false);
        assertThat(report.blobsDeleted()).isZero();
        assertThat(report.blobsKeptForGrace()).isEqualTo(2);
        manifests.put(B, Reference.parse("1"), OCI_MANIFEST, manifest(config, layer));

        age(layer);
        age(config);
        assertThat(gc.collect(false).blobsReferenced()).as("from now on the manifest keeps them").isEqualTo(2);
    }

    /**
     * A chunked upload whose last PATCH was long ago and that is completed now: the blob's file keeps
     * the time of its last chunk, but its link is new, and that keeps it.
     */
    @Test
    void anUploadCompletedLongAfterItsLastChunkIsKept() throws Exception {
        byte[] bytes = TestFiles.randomBytes(4000);
        String id = uploads.start(B).uploadId();
        uploads.append(B, id, new ByteArrayInputStream(bytes), null);
        Files.setLastModifiedTime(dir.resolve("uploads").resolve(id).resolve("data"),
                FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        Digest layer = uploads.complete(B, id, Digest.of(bytes), InputStream.nullInputStream(), null);
        assertThat(storage.listBlobs()).singleElement().satisfies(blob -> assertThat(blob.lastModified())
                .as("the blob's own time is its last chunk's").isBefore(Instant.now().minus(Duration.ofHours(1))));

        assertThat(gc.collect(false).blobsKeptForGrace()).isEqualTo(1);
        assertThat(blobs.held(B, layer)).isTrue();
    }

    /**
     * Starts {@code work} on its own thread and returns once it has finished or is parked on a
     * read-write lock (the reference lock, held by the collection on this thread).
     */
    static <T> FutureTask<T> startAndLetItBlock(Callable<T> work) {
        FutureTask<T> task = new FutureTask<>(work);
        Thread thread = new Thread(task, "push-during-gc");
        thread.setDaemon(true);
        thread.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!task.isDone()) {
            Object blocker = LockSupport.getBlocker(thread);
            if (blocker != null && blocker.getClass().getName().startsWith(ReentrantReadWriteLock.class.getName())) {
                return task;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the push neither finished nor waited for the collection: " + thread.getState());
            }
            Thread.onSpinWait();
        }
        return task;
    }

    private Digest upload(RepositoryName repository, byte[] bytes) {
        String id = uploads.start(repository).uploadId();
        return uploads.complete(repository, id, Digest.of(bytes), new ByteArrayInputStream(bytes), null);
    }

    static byte[] manifest(Digest config, Digest layer) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":1,\"digest\":\"" + config + "\"},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"size\":1,\"digest\":\"" + layer + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Makes the blob and every link to it two hours old: past the collection's grace period. */
    private void age(Digest digest) throws IOException {
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
        Files.setLastModifiedTime(dir.resolve("blobs/sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex()).resolve("data"), old);
        try (Stream<Path> files = Files.walk(dir.resolve("repositories"))) {
            for (Path link : files.filter(p -> p.endsWith(Path.of("_layers", "sha256", digest.hex(), "link"))).toList()) {
                Files.setLastModifiedTime(link, old);
            }
        }
    }
}
