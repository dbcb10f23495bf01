package io.atoll.build.log;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where finished build logs are kept, under {@code atoll.build.log} (beside {@code max-bytes} and
 * {@code heartbeat}, which {@code BuildProperties} holds); docs/build-service.md ("Logs") has the table.
 *
 * @param archive {@code filesystem}: a log stays where it was written, under the data directory;
 *     {@code s3}: a finished log is uploaded to the bucket and its local file deleted
 * @param s3 the bucket and client settings of the {@code s3} archive
 */
@ConfigurationProperties("atoll.build.log")
public record LogArchiveProperties(@DefaultValue("filesystem") Archive archive, @DefaultValue S3 s3) {

    public enum Archive {
        FILESYSTEM,
        S3
    }

    /**
     * @param bucket must exist; build-service does not create it
     * @param prefix put before {@code <build id>.log} to make the object's key, e.g. {@code build-logs/}
     * @param endpoint for S3-compatible servers (MinIO, Ceph, s3proxy); empty for AWS
     * @param region signing region
     * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key}; most
     *     non-AWS servers need it
     * @param accessKeyId static credentials; when empty, the SDK's default chain (environment,
     *     profile, instance role). The same names as image-registry's storage
     * @param secretAccessKey goes with {@code accessKeyId}; never logged or returned
     */
    public record S3(String bucket, @DefaultValue("") String prefix, URI endpoint,
            @DefaultValue("us-east-1") String region, @DefaultValue("false") boolean pathStyle, String accessKeyId,
            String secretAccessKey) {

        @Override
        public String toString() {
            return "S3[bucket=" + bucket + ", prefix=" + prefix + ", endpoint=" + endpoint + ", region=" + region + "]";
        }
    }
}
