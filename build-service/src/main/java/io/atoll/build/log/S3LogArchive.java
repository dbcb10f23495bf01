package io.atoll.build.log;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Finished build logs in an S3 bucket, one object {@code <prefix><build id>.log} each, byte for
 * byte the file the build wrote, so that a follower's byte offsets mean the same in both.
 */
class S3LogArchive implements AutoCloseable {

    private static final String CONTENT_TYPE = "text/plain; charset=utf-8";

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    S3LogArchive(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix == null ? "" : prefix;
    }

    /** Uploads the log whole; a PUT again of the same file changes nothing, so a retry is always safe. */
    void store(String buildId, Path file) throws LogArchiveException {
        try {
            s3.putObject(b -> b.bucket(bucket).key(key(buildId)).contentType(CONTENT_TYPE), RequestBody.fromFile(file));
        } catch (SdkException | UncheckedIOException e) {
            throw new LogArchiveException("s3: store the log of build " + buildId + " in " + describe(), e);
        }
    }

    /** At most {@code limit} bytes of the archived log from {@code offset}; none past its end or when it is not archived. */
    byte[] read(String buildId, long offset, int limit) throws LogArchiveException {
        try {
            return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(buildId))
                    .range("bytes=" + offset + "-" + (offset + limit - 1))).asByteArray();
        } catch (NoSuchKeyException e) {
            return new byte[0];
        } catch (S3Exception e) {
            if (e.statusCode() == 416) { // the offset is at (or past) the end: nothing new
                return new byte[0];
            }
            throw new LogArchiveException("s3: read the log of build " + buildId + " from " + describe(), e);
        } catch (SdkException e) {
            throw new LogArchiveException("s3: read the log of build " + buildId + " from " + describe(), e);
        }
    }

    /** The whole archived log, streamed from the bucket; empty when it is not there. */
    Optional<InputStream> open(String buildId) throws LogArchiveException {
        ResponseInputStream<GetObjectResponse> response;
        try {
            response = s3.getObject(b -> b.bucket(bucket).key(key(buildId)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new LogArchiveException("s3: read the log of build " + buildId + " from " + describe(), e);
        }
        return Optional.of(new FilterInputStream(response) {
            @Override
            public void close() {
                // closing as is would read the rest of the object to reuse the connection, all of
                // it when the client left early; a log download is one connection either way
                response.abort();
            }
        });
    }

    /** Throws unless the bucket answers to build-service's credentials. */
    void check() {
        s3.headBucket(b -> b.bucket(bucket));
    }

    String describe() {
        return "s3://" + bucket + "/" + prefix;
    }

    private String key(String buildId) {
        return prefix + buildId + ".log";
    }

    /** Spring calls this when the context closes: the SDK's connection pool goes with it. */
    @Override
    public void close() {
        s3.close();
    }
}
