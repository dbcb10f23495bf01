package io.atoll.registry.storage;

import java.net.URI;
import java.util.UUID;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.springframework.test.context.DynamicPropertyRegistry;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One s3proxy server (in memory, with SigV4 credentials) for the whole test JVM; each caller
 * gets a fresh bucket. s3proxy brings Jetty along in test scope only; Boot 4 starts Jetty only
 * with its spring-boot-jetty module, so the registry under test still runs on Tomcat.
 */
public final class InJvmS3 {

    public static final String ACCESS_KEY = "atoll-test";
    public static final String SECRET_KEY = "atoll-test-secret";
    public static final String PREFIX = "registry/";

    private static URI endpoint;

    private InJvmS3() {
    }

    public static synchronized URI endpoint() {
        if (endpoint == null) {
            try {
                S3Proxy proxy = S3Proxy.builder()
                        .blobStore(new TransientNio2BlobStore())
                        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                        .endpoint(URI.create("http://127.0.0.1:0"))
                        .build();
                proxy.start();
                while (!"STARTED".equals(proxy.getState())) {
                    Thread.sleep(10);
                }
                endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
            } catch (Exception e) {
                throw new IllegalStateException("s3proxy did not start", e);
            }
        }
        return endpoint;
    }

    public static S3Client client() {
        return S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    public static String newBucket() {
        String bucket = "atoll-" + UUID.randomUUID().toString().substring(0, 13);
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
        return bucket;
    }

    /** Points a Spring test's registry at a fresh bucket of the in-JVM S3. */
    public static void registerProperties(DynamicPropertyRegistry registry) {
        registerProperties(registry, newBucket());
    }

    /** Points a Spring test's registry at {@code bucket} (under the prefix {@link #PREFIX}), e.g. one the test filled first. */
    public static void registerProperties(DynamicPropertyRegistry registry, String bucket) {
        registry.add("atoll.registry.storage.type", () -> "s3");
        registry.add("atoll.registry.storage.s3.bucket", () -> bucket);
        registry.add("atoll.registry.storage.s3.prefix", () -> PREFIX);
        registry.add("atoll.registry.storage.s3.endpoint", () -> endpoint().toString());
        registry.add("atoll.registry.storage.s3.path-style", () -> "true");
        registry.add("atoll.registry.storage.s3.access-key-id", () -> ACCESS_KEY);
        registry.add("atoll.registry.storage.s3.secret-access-key", () -> SECRET_KEY);
    }
}
