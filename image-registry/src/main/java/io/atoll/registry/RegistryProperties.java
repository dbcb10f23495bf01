package io.atoll.registry;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code atoll.registry.*}.
 *
 * @param storage where blobs, manifests and uploads live
 * @param uploads how long an unfinished upload may sit before it is purged
 * @param maxManifestSize manifests larger than this are refused (the spec asks registries to take at least 4 MiB)
 * @param http how blobs are served
 */
@ConfigurationProperties("atoll.registry")
public record RegistryProperties(
        @DefaultValue Storage storage,
        @DefaultValue Uploads uploads,
        @DefaultValue("4194304") long maxManifestSize,
        @DefaultValue Http http) {

    /**
     * @param type which backend keeps the bytes
     * @param root directory of the filesystem backend; created if missing
     * @param s3 the S3 backend's bucket and client settings
     */
    public record Storage(@DefaultValue("filesystem") StorageType type, @DefaultValue("./data/registry") Path root,
            @DefaultValue S3 s3) {
    }

    public enum StorageType {
        FILESYSTEM,
        S3
    }

    /**
     * @param bucket must exist; the registry does not create it
     * @param prefix key prefix inside the bucket, e.g. {@code registry/}; empty for the bucket's root
     * @param endpoint for S3-compatible servers (MinIO, Ceph, s3proxy); empty for AWS
     * @param region signing region
     * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key}; most non-AWS servers need it
     * @param accessKeyId static credentials; when empty, the SDK's default chain (environment, profile, instance role)
     * @param secretAccessKey goes with {@code accessKeyId}; never logged
     * @param partSize bytes per upload segment and multipart part (at least 5 MiB): the memory one upload request holds
     */
    public record S3(String bucket, @DefaultValue("") String prefix, java.net.URI endpoint,
            @DefaultValue("us-east-1") String region, @DefaultValue("false") boolean pathStyle,
            String accessKeyId, String secretAccessKey,
            @DefaultValue("8MB") org.springframework.util.unit.DataSize partSize) {

        @Override
        public String toString() {
            return "S3[bucket=" + bucket + ", prefix=" + prefix + ", endpoint=" + endpoint + ", region=" + region + "]";
        }
    }

    /**
     * @param sendfile serve blobs of the filesystem backend with the kernel's sendfile (Tomcat
     *                 hands the file to the socket): the least registry CPU per byte, but on
     *                 loopback the pulling client pays more than that saves (docs/benchmarks.md)
     * @param writeBuffer bytes per socket write, and the direct write buffer every open
     *                    connection holds; blob bytes are copied to the socket in pieces of this size
     */
    public record Http(@DefaultValue("false") boolean sendfile,
            @DefaultValue("64KB") org.springframework.util.unit.DataSize writeBuffer) {

        public Http {
            long bytes = writeBuffer.toBytes();
            if (bytes < 1024 || bytes > 16 * 1024 * 1024) {
                throw new IllegalArgumentException(
                        "atoll.registry.http.write-buffer must be between 1KB and 16MB, not " + writeBuffer);
            }
        }

        public int writeBufferBytes() {
            return (int) writeBuffer.toBytes();
        }
    }

    /**
     * @param maxAge an upload untouched for this long is deleted
     * @param purgeInterval how often abandoned uploads are looked for
     */
    public record Uploads(@DefaultValue("24h") Duration maxAge, @DefaultValue("1h") Duration purgeInterval) {
    }
}
