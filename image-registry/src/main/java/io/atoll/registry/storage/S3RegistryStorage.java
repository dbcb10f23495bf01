package io.atoll.registry.storage;

import io.atoll.registry.oci.Digest;
import io.atoll.registry.oci.RepositoryName;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The registry on an S3 bucket, in the filesystem backend's layout (under an optional prefix).
 *
 * <p>S3 cannot append or rename, so an upload is a run of segment objects
 * {@code uploads/<id>/segments/<start offset>}, each exactly {@code partSize} bytes except the
 * last. An append first reads back a short last segment (less than one part, so memory stays
 * at one part buffer per request whatever the blob size) and rewrites it filled up. Committing
 * is one multipart upload to the blob's key whose parts are server-side copies of the segments
 * (every segment but the last is at least S3's 5 MiB minimum part): no byte passes through the
 * registry again, and S3 makes the blob visible only when the multipart upload completes. A
 * crash at any point leaves at worst an upload or an unfinished multipart upload (which a
 * bucket lifecycle rule should abort), never a partial blob.
 */
public class S3RegistryStorage implements RegistryStorage, AutoCloseable {

    /** S3's smallest part, except the last one. */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;

    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern BLOB_KEY = Pattern.compile(".*blobs/sha256/[a-f0-9]{2}/([a-f0-9]{64})/data");
    private static final Pattern LINK_KEY = Pattern.compile("(.+)/_layers/sha256/([a-f0-9]{64})/link");
    private static final String SEGMENTS = "/segments/";

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final int partSize;

    public S3RegistryStorage(S3Client s3, String bucket, String prefix, int partSize) {
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("part size must be at least 5 MiB (S3's minimum part)");
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix == null || prefix.isBlank() ? "" : prefix.replaceAll("^/+|/+$", "") + "/";
        this.partSize = partSize;
    }

    @Override
    public void verify() {
        String key = prefix + "tmp/probe-" + UUID.randomUUID();
        byte[] probe = ("probe " + Instant.now()).getBytes(StandardCharsets.UTF_8);
        call("verify bucket " + bucket, () -> {
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(probe));
            byte[] read = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
            s3.deleteObject(b -> b.bucket(bucket).key(key));
            if (!java.util.Arrays.equals(probe, read)) {
                throw new StorageException("probe read back differs in bucket " + bucket);
            }
            return null;
        });
    }

    /** Spring calls this when the context closes: the SDK's connection pool goes with it. */
    @Override
    public void close() {
        s3.close();
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + prefix;
    }

    // ---- blobs

    private String blobKey(Digest digest) {
        return prefix + "blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex() + "/data";
    }

    @Override
    public Optional<BlobStat> statBlob(Digest digest) {
        return head(blobKey(digest)).map(h -> new BlobStat(digest, h.contentLength()));
    }

    @Override
    public Optional<InputStream> openBlob(Digest digest, long offset) {
        String key = blobKey(digest);
        return call("open blob " + digest, () -> {
            try {
                ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> {
                    b.bucket(bucket).key(key);
                    if (offset > 0) {
                        b.range("bytes=" + offset + "-");
                    }
                });
                return Optional.of(abortingUnlessDrained(in));
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            } catch (S3Exception e) {
                if (e.statusCode() == 416 && offset > 0 && head(key).isPresent()) {
                    return Optional.of(InputStream.nullInputStream()); // offset at the end: nothing left to read
                }
                throw e;
            }
        });
    }

    @Override
    public boolean deleteBlob(Digest digest) {
        return deleteIfPresent(blobKey(digest));
    }

    @Override
    public List<BlobEntry> listBlobs() {
        List<BlobEntry> result = new ArrayList<>();
        for (S3Object object : list(prefix + "blobs/sha256/")) {
            var matcher = BLOB_KEY.matcher(object.key());
            if (matcher.matches()) {
                result.add(new BlobEntry(new Digest(matcher.group(1)), object.size(), object.lastModified()));
            }
        }
        return result;
    }

    // ---- uploads

    private String uploadPrefix(String uploadId) {
        if (uploadId == null || !UPLOAD_ID.matcher(uploadId).matches()) {
            throw new IllegalArgumentException("upload id must be a UUID");
        }
        return prefix + "uploads/" + uploadId + "/";
    }

    private static String segmentKey(String uploadPrefix, long start) {
        // Zero-padded so that S3's lexicographic listing is offset order.
        return uploadPrefix + SEGMENTS.substring(1) + String.format("%020d", start);
    }

    @Override
    public void createUpload(String uploadId, RepositoryName repository) {
        String key = uploadPrefix(uploadId) + "repository";
        call("create upload " + uploadId, () -> s3.putObject(b -> b.bucket(bucket).key(key),
                RequestBody.fromString(repository.value(), StandardCharsets.UTF_8)));
    }

    @Override
    public Optional<UploadStat> statUpload(String uploadId) {
        String base = uploadPrefix(uploadId);
        List<S3Object> objects = list(base);
        Optional<S3Object> marker = objects.stream().filter(o -> o.key().equals(base + "repository")).findFirst();
        if (marker.isEmpty()) {
            return Optional.empty();
        }
        Optional<ResponseBytes<GetObjectResponse>> name = call("read upload " + uploadId, () -> {
            try {
                return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(base + "repository")));
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            }
        });
        if (name.isEmpty()) {
            return Optional.empty();
        }
        long size = 0;
        Instant modified = marker.get().lastModified();
        for (S3Object object : objects) {
            if (object.key().startsWith(base + SEGMENTS.substring(1))) {
                size += object.size();
                modified = object.lastModified().isAfter(modified) ? object.lastModified() : modified;
            }
        }
        return Optional.of(new UploadStat(uploadId, new RepositoryName(name.get().asUtf8String()), size, modified));
    }

    private TreeMap<Long, S3Object> segments(String base) {
        TreeMap<Long, S3Object> segments = new TreeMap<>();
        for (S3Object object : list(base + SEGMENTS.substring(1))) {
            segments.put(Long.parseLong(object.key().substring(object.key().lastIndexOf('/') + 1)), object);
        }
        return segments;
    }

    @Override
    public long appendUpload(String uploadId, InputStream data) {
        String base = uploadPrefix(uploadId);
        TreeMap<Long, S3Object> segments = segments(base);
        long start = 0;
        byte[] buffer = new byte[partSize];
        int filled = 0;
        if (!segments.isEmpty()) {
            Map.Entry<Long, S3Object> last = segments.lastEntry();
            start = last.getKey();
            if (last.getValue().size() < partSize) {
                // Refill the short last segment, so that every segment but the last is a whole part.
                byte[] tail = call("read upload " + uploadId, () -> s3.getObjectAsBytes(
                        b -> b.bucket(bucket).key(last.getValue().key())).asByteArray());
                System.arraycopy(tail, 0, buffer, 0, tail.length);
                filled = tail.length;
            } else {
                start += last.getValue().size();
            }
        }
        while (true) {
            int n;
            try {
                n = data.read(buffer, filled, partSize - filled);
            } catch (IOException | RuntimeException e) {
                // What arrived so far is kept, as on disk, so the client can resume from the reported size.
                if (filled > 0) {
                    putSegment(base, start, buffer, filled);
                }
                throw e instanceof IOException io ? new StorageException("read upload body", io) : (RuntimeException) e;
            }
            if (n > 0) {
                filled += n;
            }
            if (filled == partSize || n < 0 && filled > 0) {
                putSegment(base, start, buffer, filled);
                start += filled;
                filled = 0;
            }
            if (n < 0) {
                return start;
            }
        }
    }

    private void putSegment(String base, long start, byte[] buffer, int length) {
        String key = segmentKey(base, start);
        call("append to upload", () -> s3.putObject(b -> b.bucket(bucket).key(key).contentLength((long) length),
                RequestBody.fromInputStream(new ByteArrayInputStream(buffer, 0, length), length)));
    }

    @Override
    public InputStream openUpload(String uploadId) {
        Iterator<S3Object> segments = segments(uploadPrefix(uploadId)).values().iterator();
        // One segment open at a time, opened only when the previous one is used up.
        Enumeration<InputStream> streams = new Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return segments.hasNext();
            }

            @Override
            public InputStream nextElement() {
                String key = segments.next().key();
                return call("read upload " + uploadId, () -> abortingUnlessDrained(s3.getObject(b -> b.bucket(bucket).key(key))));
            }
        };
        return new SequenceInputStream(streams);
    }

    @Override
    public void commitUpload(String uploadId, Digest digest) {
        String base = uploadPrefix(uploadId);
        List<S3Object> segments = new ArrayList<>(segments(base).values());
        String target = blobKey(digest);
        call("commit upload " + uploadId, () -> {
            if (segments.isEmpty()) {
                s3.putObject(b -> b.bucket(bucket).key(target), RequestBody.empty());
            } else if (segments.size() == 1) {
                s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(segments.get(0).key())
                        .destinationBucket(bucket).destinationKey(target));
            } else {
                String multipart = s3.createMultipartUpload(b -> b.bucket(bucket).key(target)).uploadId();
                try {
                    List<CompletedPart> parts = new ArrayList<>();
                    for (int i = 0; i < segments.size(); i++) {
                        int partNumber = i + 1;
                        String source = segments.get(i).key();
                        String etag = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(source)
                                .destinationBucket(bucket).destinationKey(target)
                                .uploadId(multipart).partNumber(partNumber)).copyPartResult().eTag();
                        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
                    }
                    s3.completeMultipartUpload(b -> b.bucket(bucket).key(target).uploadId(multipart)
                            .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
                } catch (RuntimeException e) {
                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(target).uploadId(multipart));
                    throw e;
                }
            }
            return null;
        });
        deleteUpload(uploadId);
    }

    @Override
    public void deleteUpload(String uploadId) {
        deleteAll(list(uploadPrefix(uploadId)));
    }

    @Override
    public List<UploadStat> listUploads() {
        List<UploadStat> result = new ArrayList<>();
        for (String id : childNames(prefix + "uploads/")) {
            if (UPLOAD_ID.matcher(id).matches()) {
                statUpload(id).ifPresent(result::add);
            }
        }
        return result;
    }

    // ---- manifests and tags

    private String repositoryPrefix(RepositoryName repository) {
        return prefix + "repositories/" + repository.value() + "/_manifests/";
    }

    private String revisionKey(RepositoryName repository, Digest digest) {
        return repositoryPrefix(repository) + "revisions/sha256/" + digest.hex() + "/data";
    }

    private String tagKey(RepositoryName repository, String tag) {
        return repositoryPrefix(repository) + "tags/" + tag + "/current";
    }

    @Override
    public boolean repositoryExists(RepositoryName repository) {
        String base = repositoryPrefix(repository);
        return call("list " + base, () -> s3.listObjectsV2(b -> b.bucket(bucket).prefix(base).maxKeys(1)).keyCount() > 0);
    }

    @Override
    public Optional<StoredManifest> readManifest(RepositoryName repository, Digest digest) {
        String key = revisionKey(repository, digest);
        return call("read manifest " + digest, () -> {
            try {
                ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
                return Optional.of(new StoredManifest(digest, bytes.response().contentType(), bytes.asByteArray()));
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void writeManifest(RepositoryName repository, Digest digest, String mediaType, byte[] content) {
        String key = revisionKey(repository, digest);
        // The media type travels as the object's Content-Type: one object, written in one step.
        call("write manifest " + digest, () -> s3.putObject(b -> b.bucket(bucket).key(key).contentType(mediaType),
                RequestBody.fromBytes(content)));
        // S3 has no directories: this marker keeps the repository known (NAME_UNKNOWN vs MANIFEST_UNKNOWN)
        // after its manifests are deleted, as the filesystem's directory does.
        String marker = repositoryPrefix(repository) + "repository";
        call("mark repository " + repository.value(), () -> s3.putObject(b -> b.bucket(bucket).key(marker), RequestBody.empty()));
    }

    @Override
    public List<Digest> listManifests(RepositoryName repository) {
        String base = repositoryPrefix(repository) + "revisions/sha256/";
        return childNames(base).stream().filter(hex -> hex.matches("[a-f0-9]{64}")).map(Digest::new).toList();
    }

    @Override
    public boolean deleteManifest(RepositoryName repository, Digest digest) {
        return deleteIfPresent(revisionKey(repository, digest));
    }

    @Override
    public boolean deleteRepository(RepositoryName repository) {
        String base = prefix + "repositories/" + repository.value() + "/";
        // Its own two subtrees only: "repositories/a/" is also the start of a nested "a/b".
        List<S3Object> objects = new ArrayList<>(list(base + "_manifests/"));
        objects.addAll(list(base + "_layers/"));
        deleteAll(objects);
        return !objects.isEmpty();
    }

    /**
     * Walks the names one path component at a time with delimiter listings, as a directory tree:
     * a prefix with a {@code _manifests/} child is a repository (as {@link #repositoryExists}
     * says), and only children that can start a name component (not {@code _layers/},
     * {@code _manifests/}) are walked into. One request per repository and per namespace above
     * one (each up to 1000 children), however many manifests, tags and links the repositories hold.
     */
    @Override
    public List<RepositoryName> listRepositories() {
        String base = prefix + "repositories/";
        TreeSet<String> names = new TreeSet<>();
        Deque<String> pending = new ArrayDeque<>(List.of(""));
        while (!pending.isEmpty()) {
            String path = pending.pop();
            for (String child : childNames(base + path)) {
                if (child.equals("_manifests")) {
                    if (!path.isEmpty()) {
                        names.add(path.substring(0, path.length() - 1));
                    }
                } else if (!child.isEmpty() && !child.startsWith("_")) {
                    pending.push(path + child + "/");
                }
            }
        }
        return names.stream().map(RepositoryName::new).toList();
    }

    @Override
    public Optional<Digest> readTag(RepositoryName repository, String tag) {
        String key = tagKey(repository, tag);
        return call("read tag " + tag, () -> {
            try {
                return Optional.of(Digest.parse(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String().trim()));
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public boolean deleteTag(RepositoryName repository, String tag) {
        return deleteIfPresent(tagKey(repository, tag));
    }

    @Override
    public void writeTag(RepositoryName repository, String tag, Digest digest) {
        String key = tagKey(repository, tag);
        call("write tag " + tag, () -> s3.putObject(b -> b.bucket(bucket).key(key),
                RequestBody.fromString(digest.toString(), StandardCharsets.UTF_8)));
    }

    @Override
    public List<String> listTags(RepositoryName repository) {
        List<String> tags = new ArrayList<>(childNames(repositoryPrefix(repository) + "tags/"));
        Collections.sort(tags);
        return tags;
    }

    // ---- blob links

    private String linkKey(RepositoryName repository, Digest digest) {
        return prefix + "repositories/" + repository.value() + "/_layers/sha256/" + digest.hex() + "/link";
    }

    /** Always a PUT: linking again renews the object's LastModified, the link's time. */
    @Override
    public void linkBlob(RepositoryName repository, Digest digest) {
        String key = linkKey(repository, digest);
        call("link blob " + digest, () -> s3.putObject(b -> b.bucket(bucket).key(key),
                RequestBody.fromString(digest.toString(), StandardCharsets.UTF_8)));
    }

    @Override
    public boolean blobLinked(RepositoryName repository, Digest digest) {
        return head(linkKey(repository, digest)).isPresent();
    }

    @Override
    public boolean unlinkBlob(RepositoryName repository, Digest digest) {
        return deleteIfPresent(linkKey(repository, digest));
    }

    @Override
    public List<BlobLink> listBlobLinks() {
        String base = prefix + "repositories/";
        List<BlobLink> result = new ArrayList<>();
        for (S3Object object : list(base)) {
            var matcher = LINK_KEY.matcher(object.key().substring(base.length()));
            if (matcher.matches() && !matcher.group(1).contains("/_manifests/")) {
                result.add(new BlobLink(new RepositoryName(matcher.group(1)), new Digest(matcher.group(2)), object.lastModified()));
            }
        }
        return result;
    }

    // ---- layout

    @Override
    public int layoutVersion() {
        String key = prefix + "layout-version";
        return call("read layout-version", () -> {
            try {
                return Integer.parseInt(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String().trim());
            } catch (NoSuchKeyException e) {
                return 1;
            } catch (NumberFormatException e) {
                throw new StorageException("s3: " + key + " is not a number", e);
            }
        });
    }

    @Override
    public void writeLayoutVersion(int version) {
        String key = prefix + "layout-version";
        call("write layout-version", () -> s3.putObject(b -> b.bucket(bucket).key(key),
                RequestBody.fromString(Integer.toString(version), StandardCharsets.UTF_8)));
    }

    // ---- S3 helpers

    private Optional<HeadObjectResponse> head(String key) {
        return call("stat " + key, () -> {
            try {
                return Optional.of(s3.headObject(b -> b.bucket(bucket).key(key)));
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            } catch (S3Exception e) {
                if (e.statusCode() == 404) { // HEAD has no body, so some servers' 404 is not mapped to NoSuchKey
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    private boolean deleteIfPresent(String key) {
        if (head(key).isEmpty()) {
            return false;
        }
        call("delete " + key, () -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
        return true;
    }

    private List<S3Object> list(String keyPrefix) {
        return call("list " + keyPrefix, () -> {
            List<S3Object> objects = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(keyPrefix)).contents().forEach(objects::add);
            return objects;
        });
    }

    /** The next path component under {@code keyPrefix}, as S3 "common prefixes". */
    private List<String> childNames(String keyPrefix) {
        return call("list " + keyPrefix, () -> {
            List<String> names = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(keyPrefix).delimiter("/")).commonPrefixes()
                    .forEach(p -> names.add(p.prefix().substring(keyPrefix.length(), p.prefix().length() - 1)));
            return names;
        });
    }

    private void deleteAll(List<S3Object> objects) {
        for (int i = 0; i < objects.size(); i += 1000) {
            List<ObjectIdentifier> batch = objects.subList(i, Math.min(objects.size(), i + 1000)).stream()
                    .map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
            call("delete", () -> s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true))));
        }
    }

    /**
     * Closing an S3 response stream early would otherwise read the rest of the object to reuse
     * the connection: a client that reads 10 bytes of a 2 GiB blob would cost 2 GiB.
     */
    private static InputStream abortingUnlessDrained(ResponseInputStream<GetObjectResponse> response) {
        return new FilterInputStream(response) {
            private boolean drained;

            @Override
            public int read() throws IOException {
                int b = super.read();
                drained |= b < 0;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                drained |= n < 0;
                return n;
            }

            @Override
            public void close() throws IOException {
                if (!drained) {
                    response.abort();
                }
                super.close();
            }
        };
    }

    private static <T> T call(String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (SdkException e) {
            throw new StorageException("s3: " + what + " failed", e);
        }
    }
}
