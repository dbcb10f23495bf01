package io.atoll.build.log;

import java.net.URI;
import java.util.UUID;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One s3proxy server in this JVM (objects in memory, SigV4 credentials), as image-registry's
 * tests run it, that a test can take down and bring back on the same port with the same
 * objects: S3 unreachable, then reachable again. Each caller gets a fresh bucket.
 */
public final class S3Server {

    public static final String ACCESS_KEY = "atoll-logs";
    public static final String SECRET_KEY = "logs-Secret-5e81c0d2";

    private static final BlobStore OBJECTS = new TransientNio2BlobStore();
    private static S3Proxy proxy;
    private static int port;

    private S3Server() {
    }

    /** The server's address; started on a free port the first time. */
    public static synchronized URI endpoint() {
        if (port == 0) {
            start();
        }
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Starts it (again, on the port it had, with the objects it had); a no-op while it runs. */
    public static synchronized void start() {
        if (proxy != null) {
            return;
        }
        try {
            S3Proxy started = S3Proxy.builder()
                    .blobStore(OBJECTS)
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    .endpoint(URI.create("http://127.0.0.1:" + port))
                    .build();
            started.start();
            while (!"STARTED".equals(started.getState())) {
                Thread.sleep(10);
            }
            proxy = started;
            port = started.getPort();
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy did not start", e);
        }
    }

    /** Takes it down: connections to its port are refused until {@link #start()}. */
    public static synchronized void stop() {
        if (proxy == null) {
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy did not stop", e);
        }
        proxy = null;
    }

    public static S3Client client() {
        return S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    public static String newBucket() {
        String bucket = "logs-" + UUID.randomUUID().toString().substring(0, 13);
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
        return bucket;
    }
}
